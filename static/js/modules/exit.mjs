// "Exit this page" leaves nothing behind that Back can bring back (issue 13, docs/adr/0011-exit-leaves-nothing.md).
//
// Browsers keep the page just left in their back/forward cache, frozen as it was: the answers typed into a
// form, a reference number, live search results. Clear-Site-Data on /exit cannot reach that copy: the page
// enters the cache after the header has been handled. So once an exit has started, this module empties
// the page as it is hidden, and a copy restored by Back goes straight to /exit again. It also tells the
// rest of the page's scripts that the reader has left (the `act-early:exit` event), so the offline
// module can forget the saved pages and the service worker.

export const EXIT_EVENT = 'act-early:exit'
const EXIT_CONTROLS = '.govuk-exit-this-page__button, .govuk-js-exit-this-page-skiplink'
const HIDDEN_BY_SHORTCUT = 'govuk-exit-this-page-hide-content' // govuk-frontend's ExitThisPage, Shift ×3

let exiting = false

function exitAddress () {
  const control = document.querySelector('.govuk-exit-this-page__button')
  return (control && control.getAttribute('href')) || '/exit'
}

function startExit () {
  if (exiting) return
  exiting = true
  document.dispatchEvent(new CustomEvent(EXIT_EVENT))
}

// Nothing of the page survives in its frozen copy: no field, no text. Its manifest and icons go too: a page
// Back restores would otherwise fetch the app's icon again into the HTTP cache, after Exit had cleared it.
function emptyThePage () {
  for (const form of document.forms) form.reset()
  document.body.replaceChildren()
  for (const link of document.head.querySelectorAll('link[rel~="manifest"], link[rel~="icon"]')) link.remove()
}

export function watchExit () {
  document.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest(EXIT_CONTROLS)) startExit()
  }, true)
  new MutationObserver(() => {
    if (document.body.classList.contains(HIDDEN_BY_SHORTCUT)) startExit()
  }).observe(document.body, { attributes: true, attributeFilter: ['class'] })
  window.addEventListener('pagehide', () => { if (exiting) emptyThePage() })
  window.addEventListener('pageshow', (event) => {
    if (exiting && event.persisted) window.location.replace(exitAddress())
  })
}
