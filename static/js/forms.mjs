// Enhancement for the form pages: forget posted answers in the tab's history, focus the error summary,
// count characters as people type.
import { CharacterCount, ErrorSummary, createAll } from 'govuk-frontend'

// Every form page after the first answers a POST, and the browser keeps what was posted (every answer so
// far) with the page's history entry: it writes it into its session files (to restore tabs, for "Reopen
// closed tab") and posts it again on Back, so someone else on a shared device could read the concern after
// "Exit this page". Replacing the entry with a plain visit of the same address drops the answers; Back and
// Reload open the start page instead. First thing, so the browser has little time to save the entry before
// (a11y_tests/test_shared_device.py).
window.history.replaceState(null, '', window.location.href)

createAll(ErrorSummary)
createAll(CharacterCount)
