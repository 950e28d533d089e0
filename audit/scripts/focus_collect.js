// The elements Tab should visit, in the order it should visit them (tabindex > 0 first, then the
// document order), each with how it looks before it is focused. Kept on window for focus_probe.js.
const CANDIDATES = 'a[href], area[href], button, input, select, textarea, summary, iframe, audio[controls], '
  + 'video[controls], [tabindex], [contenteditable]:not([contenteditable="false"])';
const focusable = (el) => el.tabIndex >= 0 && !el.matches(':disabled') && !el.closest('[inert]')
  && !(el.localName === 'input' && el.type === 'hidden')
  && !(el.localName === 'summary' && el.parentElement.querySelector(':scope > summary') !== el)
  && el.checkVisibility({ visibilityProperty: true });
const radioGroups = new Map();
const list = [];
for (const el of document.querySelectorAll(CANDIDATES)) {
  if (!focusable(el)) continue;
  if (el.localName === 'input' && el.type === 'radio' && el.name) {
    // One stop per radio group: the checked one, or the first.
    const group = `${el.form ? [...document.forms].indexOf(el.form) : -1}|${el.name}`;
    if (radioGroups.has(group)) {
      if (el.checked) list[radioGroups.get(group)] = el;
      continue;
    }
    radioGroups.set(group, list.length);
  }
  list.push(el);
}
// Chromium also stops on a scrolling region that has nothing focusable inside.
for (const el of document.body.querySelectorAll('*')) {
  const s = getComputedStyle(el);
  const scrolls = (['auto', 'scroll'].includes(s.overflowX) && el.scrollWidth > el.clientWidth)
    || (['auto', 'scroll'].includes(s.overflowY) && el.scrollHeight > el.clientHeight);
  if (scrolls && !list.includes(el) && !list.some((f) => el.contains(f)) && el.checkVisibility()) list.push(el);
}
list.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
const positive = list.filter((el) => el.tabIndex > 0).sort((a, b) => a.tabIndex - b.tabIndex);
const order = [...positive, ...list.filter((el) => el.tabIndex <= 0)];
window.__auditFocusables = order;
window.__auditLooks = order.map((el) => focusLook(standIn(el)));
window.__auditWasHidden = order.map((el) => isHiddenFromSight(standIn(el)));
return order.map((el) => ({ selector: selectorOf(el), text: textOf(el), tabindex: el.getAttribute('tabindex') }));
