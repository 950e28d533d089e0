// Progressive enhancement for every page. The site works fully without this file.
import { ExitThisPage, ServiceNavigation, SkipLink, createAll } from 'govuk-frontend'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
createAll(SkipLink)
createAll(ServiceNavigation)
createAll(ExitThisPage)
