// Pairs of consecutive Tab stops that share a line of text (the end of the first and the start of the
// second overlap by at least half the smaller height) where the second lies against the reading direction of that line. Boxes that
// do not share a line box are not compared: a float or a positioned element beside a line (GOV.UK's
// Exit this page) is a separate box, and a column layout legitimately moves focus up the page.
// arg: the visited stops' indices into window.__auditFocusables, in Tab order.
const list = window.__auditFocusables || [];
const common = (a, b) => { let node = a; while (node && !node.contains(b)) node = node.parentElement; return node; };
const layoutBetween = (el, ancestor) => {
  const out = [];
  for (let node = el; node && node !== ancestor; node = node.parentElement) {
    const s = getComputedStyle(node);
    if (['absolute', 'fixed', 'sticky'].includes(s.position)) out.push(`position:${s.position}`);
    else if (s.float !== 'none') out.push(`float:${s.float}`);
  }
  return out;
};
const out = [];
for (let i = 1; i < arg.length; i += 1) {
  const a = list[arg[i - 1]];
  const b = list[arg[i]];
  if (!a || !b || isHiddenFromSight(a) || isHiddenFromSight(b)) continue;
  // Where the first ends and the second starts: a link that wraps ends on its last line.
  const fa = [...a.getClientRects()].filter((r) => r.width && r.height);
  const fb = [...b.getClientRects()].filter((r) => r.width && r.height);
  if (!fa.length || !fb.length) continue;
  const ra = fa[fa.length - 1];
  const rb = fb[0];
  const shared = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
  if (shared < 0.5 * Math.min(ra.height, rb.height) || !ra.height || !rb.height) continue;
  const ancestor = common(a, b);
  const pa = layoutBetween(a, ancestor);
  const pb = layoutBetween(b, ancestor);
  if (pa.some((p) => p.startsWith('position')) || pb.some((p) => p.startsWith('position'))) continue;
  if (pa.join() !== pb.join()) continue;  // one floats beside the other's line
  const rtl = getComputedStyle(ancestor).direction === 'rtl';
  const backwards = rtl ? rb.right > ra.right + 1 : rb.left < ra.left - 1;
  if (backwards) {
    out.push({ from: textOf(a), to: textOf(b), selector: selectorOf(b), box: docBox(rb), direction: rtl ? 'rtl' : 'ltr' });
  }
}
return out;
