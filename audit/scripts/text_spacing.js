// 1.4.12 Text Spacing: apply the spacing of the W3C text-spacing bookmarklet and report text that is
// newly clipped or overlaps other text. A reader's own stylesheet wins over the site's !important
// rules, so the spacing is set inline with !important on every element, and on pseudo-elements by an
// adopted stylesheet (CSSOM, which a Content-Security-Policy without 'unsafe-inline' allows).
const before = { clipped: clippedText(), overlaps: overlappingText() };
const spacing = { 'line-height': '1.5', 'letter-spacing': '0.12em', 'word-spacing': '0.16em' };
const sheet = new CSSStyleSheet();
const rules = Object.entries(spacing).map(([k, v]) => `${k}: ${v} !important;`).join(' ');
sheet.replaceSync(`*::before, *::after { ${rules} }`);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
for (const el of document.querySelectorAll('body, body *')) {
  for (const [k, v] of Object.entries(spacing)) el.style.setProperty(k, v, 'important');
  if (el.localName === 'p') el.style.setProperty('margin-bottom', '2em', 'important');
}
resetCaches();
const applied = getComputedStyle(document.querySelector('main p, p, body')).letterSpacing;
const key = (f) => `${f.selector}|${f.other || ''}`;
const was = new Set([...before.clipped, ...before.overlaps].map(key));
return {
  applied,
  clipped: clippedText().filter((f) => !was.has(key(f))),
  overlaps: overlappingText().filter((f) => !was.has(key(f))),
};
