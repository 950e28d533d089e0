// 3.1.2 Language of Parts: text in another language than its element declares, in the two ways a
// machine can tell without guessing a language from its words.
//   1. Latin letters in an element whose language is written in another script (Urdu, Arabic, …),
//      apart from the proper names in arg.properNames, web addresses and e-mail addresses.
//   2. A <time> in an element whose language is not English (checked for English month names in Python).
// Text that is out of sight but read (visually hidden, in a closed <details>) counts; text no one
// reads (hidden, aria-hidden) does not. arg: { properNames: [...] }
const NON_LATIN = new Set(['am', 'ar', 'bn', 'el', 'fa', 'gu', 'he', 'hi', 'ja', 'ko', 'pa', 'ps', 'ru', 'ta', 'te', 'ti', 'uk', 'ur', 'yi', 'zh']);
const langOf = (el) => ((el.closest('[lang]') || document.documentElement).getAttribute('lang') || '').toLowerCase();
const primary = (lang) => lang.split('-')[0];
const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement;
  if (!el || !node.data.trim() || el.closest('script, style, noscript, template, code, kbd, samp, time, [hidden], [aria-hidden="true"]')) continue;
  const lang = langOf(el);
  if (!NON_LATIN.has(primary(lang))) continue;
  let text = node.data;
  for (const name of arg.properNames) text = text.split(name).join(' ');
  text = text.replace(/\S+@\S+|\b[\w-]+(\.[\w-]+)+(\/\S*)?/g, ' ');
  const words = text.match(/[A-Za-z]{3,}(?:[\s'’-]+[A-Za-z]+)*/g);
  if (words) {
    out.push({ selector: selectorOf(el), text: words.join(' … ').slice(0, 80), lang, box: docBox(el.getBoundingClientRect()) });
  }
}
// Dates are judged in Python with babel: Chromium's ICU has no month names for some languages (Welsh).
const times = [...document.querySelectorAll('time')]
  .filter((time) => primary(langOf(time)) !== 'en' && !time.closest('[hidden], [aria-hidden="true"]'))
  .map((time) => ({ selector: selectorOf(time), text: time.textContent.trim(), lang: langOf(time), box: docBox(time.getBoundingClientRect()) }));
return { latin: out, times };
