// Enhancement for the form pages: forget posted answers in the tab's history, keep nothing in autofill,
// focus the error summary, count characters as people type.
import { CharacterCount, ErrorSummary, createAll } from 'govuk-frontend'

// Every form page after the first answers a POST, and the browser keeps what was posted (every answer so
// far) with the page's history entry: it writes it into its session files (to restore tabs, for "Reopen
// closed tab") and posts it again on Back, so someone else on a shared device could read the concern after
// "Exit this page". Replacing the entry with a plain visit of the same address drops the answers; Back and
// Reload open the start page instead. First thing, so the browser has little time to save the entry before
// (a11y_tests/test_shared_device.py).
window.history.replaceState(null, '', window.location.href)

// In a form that asks not to be remembered (the concern forms), the sender's own name, phone and email
// still say what they are (autocomplete="name", "tel", "email"; WCAG 1.3.5), so the browser can offer to
// fill them in. Once one is typed in, it says "off": Chromium then keeps nothing typed in its autofill data
// on a shared device (saying "off" only as the form is sent was too late: a11y_tests/test_shared_device.py).
// The console's sign-in is left to the browser.
for (const form of document.querySelectorAll('form[autocomplete="off"]')) {
  for (const field of form.querySelectorAll('input[autocomplete]:not([autocomplete="off"])')) {
    if (field.value) {
      field.setAttribute('autocomplete', 'off') // shown again with what was typed: nothing left to suggest
    } else {
      field.addEventListener('input', () => field.setAttribute('autocomplete', 'off'), { once: true })
    }
  }
}

createAll(ErrorSummary)
createAll(CharacterCount)
