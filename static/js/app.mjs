// Progressive enhancement for every page. The site works fully without this file.
import { Button, ExitThisPage, SkipLink, createAll } from 'govuk-frontend'
import { watchExit } from './modules/exit.mjs'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
watchExit()
createAll(SkipLink)
// The main navigation is not folded behind a "Menu" button on phones: folding it once this script ran moved
// every word below it after the first paint (layout shift 0.13 on a 320-pixel screen, issue 17). Its four
// links show as they do without JavaScript.
buttonsThatAnswerSpace()
createAll(ExitThisPage)
explainTheExitShortcut()

// Links drawn as buttons ("Exit this page", "Start now") are announced as buttons only once Space works on
// them too: govuk-frontend's Button handles Space. Without JavaScript they stay links (ADR 15).
function buttonsThatAnswerSpace () {
  for (const link of document.querySelectorAll('a[data-module="govuk-button"]')) link.setAttribute('role', 'button')
  createAll(Button)
}

// The Shift ×3 shortcut exists only now, so only now is it described.
function explainTheExitShortcut () {
  const shortcut = document.getElementById('exit-shortcut')
  if (!shortcut) return
  shortcut.hidden = false
  for (const control of document.querySelectorAll('[aria-describedby~="exit-explained"]')) {
    control.setAttribute('aria-describedby', 'exit-explained exit-shortcut')
  }
}
