// 1.4.6 Contrast (Enhanced): every piece of visible text against the colour behind it.
// arg: { normal: 7, large: 4.5 }. Returns failures, and text on images for a person to judge.
const failures = [];
const review = [];
let checked = 0;
const seen = new Set();
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement;
  if (!node.data.trim() || !el || seen.has(el)) continue;
  seen.add(el);
  if (el.closest('script, style, noscript, template, :disabled, [aria-disabled="true"]') || isHiddenFromSight(el)) continue;
  const s = getComputedStyle(el);
  const size = parseFloat(s.fontSize);
  const large = size >= 24 || (size >= 18.66 && parseInt(s.fontWeight, 10) >= 700);
  const required = large ? arg.large : arg.normal;
  const box = docBox(el.getBoundingClientRect());
  const text = node.data.replace(/\s+/g, ' ').trim().slice(0, 80);
  const behind = backgroundBehind(el);
  if (!behind) {
    review.push({ selector: selectorOf(el), text, box, reason: 'text on a background image or gradient' });
    continue;
  }
  const fg = parseColour(s.color);
  fg[3] *= opacityOf(el);
  const ratio = contrast(blend(fg, behind), behind);
  checked += 1;
  if (ratio + 1e-9 < required) {
    failures.push({ selector: selectorOf(el), text, box, ratio, required, large, foreground: s.color, background: css(behind), fontSize: size });
  }
}
return { checked, failures, review };
