// 2.4.11 where Firefox and Safari put focus: they scroll a newly focused element only as far as the
// nearest edge of the window, so moving focus upwards (Shift+Tab) leaves it at the top edge, where
// sticky content sits. For each expected stop: scroll to the end, focus it without scrolling, scroll
// it to the nearest edge (scroll-padding is honoured, as browsers do), and measure what covers it.
const out = [];
const list = window.__auditFocusables || [];
const end = document.documentElement.scrollHeight;
list.forEach((el, index) => {
  if (isHiddenFromSight(el) && el !== document.activeElement) {
    el.focus({ preventScroll: true });
    resetCaches();
    if (isHiddenFromSight(el)) return;  // visually hidden until focused and still hidden: not a place to check
  }
  window.scrollTo(0, end);
  el.focus({ preventScroll: true });
  el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  const cover = coverage(el);
  if (cover.visible < cover.points) out.push({ index, selector: selectorOf(el), text: textOf(el), box: docBox(el.getBoundingClientRect()), cover });
});
document.activeElement?.blur();
window.scrollTo(0, 0);
return out;
