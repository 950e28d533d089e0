// Enhancement for the form pages: focus the error summary, count characters as people type.
import { CharacterCount, ErrorSummary, createAll } from 'govuk-frontend'

createAll(ErrorSummary)
createAll(CharacterCount)
