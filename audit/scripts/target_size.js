// 2.5.8 Target Size (Minimum), with its exceptions, and a count for 2.5.5 Target Size (Enhanced).
// arg: { minimum: 24, enhanced: 44 }.
// A target passes by size (at least minimum × minimum), or by an exception of the criterion:
//   spacing: a circle of diameter `minimum` centred on its box meets no other target and no other
//            undersized target's circle;
//   inline:  it is display: inline and its line holds text that is not a target (a link in a sentence);
//   user agent: a native control whose look the page has not changed (appearance: auto);
// "equivalent" and "essential" need a person and are not judged here.
const TARGETS = 'a[href], area[href], button, input:not([type="hidden"]), select, textarea, summary, '
  + '[role="button"], [role="link"], [role="checkbox"], [role="radio"], [role="switch"], [role="tab"], '
  + '[role="menuitem"], [role="option"], [tabindex]:not([tabindex="-1"])';
const half = arg.minimum / 2;
const targets = [];
for (const el of document.querySelectorAll(TARGETS)) {
  if (isHiddenFromSight(el) || el.matches(':disabled')) continue;
  // A target inside another target is one target.
  const outer = el.parentElement && el.parentElement.closest(TARGETS);
  if (outer && !isHiddenFromSight(outer)) continue;
  const rects = [...el.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
  if (!rects.length) continue;
  const box = el.getBoundingClientRect();
  const largest = rects.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
  targets.push({ el, box, rects, width: largest.width, height: largest.height });
}
const centre = (b) => [b.left + b.width / 2, b.top + b.height / 2];
const distanceToRect = ([x, y], r) => Math.hypot(Math.max(r.left - x, 0, x - r.right), Math.max(r.top - y, 0, y - r.bottom));
const inSentence = (el) => {
  if (getComputedStyle(el).display !== 'inline') return false;
  const block = blockOf(el);
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (node.data.trim() && !parent.closest(TARGETS) && blockOf(parent) === block && !isHiddenFromSight(parent)) return true;
  }
  return false;
};
const userAgentControl = (el) => el.matches('input, select, textarea') && getComputedStyle(el).appearance !== 'none'
  && !el.getAttribute('style');
const undersized = targets.filter((t) => t.width + 0.01 < arg.minimum || t.height + 0.01 < arg.minimum);
const counts = { total: targets.length, size: targets.length - undersized.length, spacing: 0, inline: 0, userAgent: 0, enhanced: 0 };
counts.enhanced = targets.filter((t) => t.width + 0.01 >= arg.enhanced && t.height + 0.01 >= arg.enhanced).length;
const failures = [];
for (const t of undersized) {
  if (inSentence(t.el)) { counts.inline += 1; continue; }
  if (userAgentControl(t.el)) { counts.userAgent += 1; continue; }
  const c = centre(t.box);
  const conflicts = [];
  for (const other of targets) {
    if (other === t) continue;
    const meetsTarget = other.rects.some((r) => distanceToRect(c, r) < half);
    const meetsCircle = undersized.includes(other) && Math.hypot(c[0] - centre(other.box)[0], c[1] - centre(other.box)[1]) < arg.minimum;
    if (meetsTarget || meetsCircle) conflicts.push(`${selectorOf(other.el)} ("${textOf(other.el)}")`);
  }
  if (!conflicts.length) { counts.spacing += 1; continue; }
  failures.push({
    selector: selectorOf(t.el), text: textOf(t.el), width: t.width, height: t.height, box: docBox(t.box), conflicts: conflicts.slice(0, 3),
  });
}
return { counts, failures };
