// Progressive enhancement for every page. The site works fully without this file.
import { ExitThisPage, ServiceNavigation, SkipLink, createAll } from 'govuk-frontend'
import { watchExit } from './modules/exit.mjs'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
watchExit()
createAll(SkipLink)
createAll(ServiceNavigation)
createAll(ExitThisPage)
