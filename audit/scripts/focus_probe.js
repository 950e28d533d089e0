// The element that has focus now: which expected stop it is, whether its look changed, how well
// its indicator stands out (contrast of each changed part against the colours next to it), and how
// much of it other content covers.
const focused = document.activeElement;
if (!focused || focused === document.body || focused === document.documentElement) return { index: -2 };
const list = window.__auditFocusables || [];
const index = list.indexOf(focused);
const el = standIn(focused); // what the reader sees of it
const box = el.getBoundingClientRect();
const result = {
  index, selector: selectorOf(focused), text: textOf(focused), box: docBox(box), viewportBox: { left: box.left, top: box.top, right: box.right, bottom: box.bottom },
  hidden: isHiddenFromSight(el), cover: coverage(el),
};
if (index < 0) return result;
if (window.__auditWasHidden[index] && !result.hidden) {
  // Hidden until focused (a skip link): its appearing is the indicator; its text must stand out.
  const behind = backgroundBehind(el) || canvasColour();
  const ratio = contrast(blend(parseColour(getComputedStyle(el).color), behind), behind);
  return { ...result, changed: ['appears'], indicators: [{ kind: 'appears on focus', colour: css(behind), ratio }] };
}
const before = window.__auditLooks[index];
const parts = partsOf(el);
const now = parts.map(([node, pseudo]) => lookOf(node, pseudo));
const changed = [];
const indicators = [];
const px = (v) => parseFloat(v) || 0;
now.forEach((look, i) => {
  const was = before[i];
  if (!look || !was) return;
  const [node] = parts[i];
  const diff = LOOK.filter((p) => look[p] !== was[p]);
  if (!diff.length) return;
  changed.push(...diff.map((p) => `${i ? `part ${i} ` : ''}${p}`));
  const outside = backgroundBehind(node === el ? el.parentElement : node.parentElement) || canvasColour();
  const inside = backgroundBehind(node) || outside;
  const add = (kind, value, against) => {
    if (value === 'none') return;
    const colour = parseColour(value);
    if (colour[3] === 0) return;
    const solid = blend(colour, outside);
    const ratio = Math.min(...against.map((c) => contrast(solid, c)));
    indicators.push({ kind, colour: css(solid), ratio });
  };
  if (diff.some((p) => p.startsWith('outline')) && look['outline-style'] === 'auto') {
    // The browser's own focus ring: Chromium draws it in two colours, #101010 inside a white ring, so
    // one of them stands out on any background (and 1.4.11 exempts a look the page has not changed).
    const ring = [[16, 16, 16, 1], [255, 255, 255, 1]];
    const ratio = Math.max(...ring.map((c) => contrast(c, outside)));
    indicators.push({ kind: 'browser focus ring', colour: 'rgb(16, 16, 16) and white', ratio });
  } else if (diff.some((p) => p.startsWith('outline')) && look['outline-style'] !== 'none') {
    add('outline', look['outline-color'], px(look['outline-offset']) > 0 ? [outside] : [outside, inside]);
  }
  if (diff.includes('box-shadow') && look['box-shadow'] !== 'none') {
    // "rgb(255, 221, 0) 0px -2px 0px 0px, rgb(11, 12, 12) 0px 4px 0px 0px"
    for (const shadow of look['box-shadow'].split(/,(?![^(]*\))/)) {
      const colour = (/(rgba?\([^)]*\)|#[0-9a-f]+|[a-z]+\([^)]*\))/i.exec(shadow) || [])[1];
      const lengths = (shadow.replace(colour || '', '').match(/-?[\d.]+px/g) || []).map(px);
      if (colour && lengths.some((v) => v !== 0)) add(shadow.includes('inset') ? 'inset box-shadow' : 'box-shadow', colour, [outside, inside]);
    }
  }
  if (diff.includes('background-color') && look['background-color'] !== 'none') add('background', look['background-color'], [outside]);
  // A border that changes colour, or grows thicker (GOV.UK's radios and checkboxes: 2px to 4px, in black).
  if (diff.some((p) => p.startsWith('border-') && (p.endsWith('color') || p.endsWith('width'))) && px(look['border-top-width']) + px(look['border-bottom-width']) > 0) {
    add('border', look['border-bottom-color'], [outside, inside]);
  }
});
return { ...result, changed, indicators };
