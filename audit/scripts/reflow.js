// 1.4.10 Reflow: does the page scroll sideways, and which elements stick out of the window?
// Content that needs two dimensions (data tables, images, maps, video) is exempt.
const root = document.documentElement;
const width = root.clientWidth;
const outside = (r) => r.right > width + 1 || r.left < -1;
const offenders = [];
if (root.scrollWidth > width + 1) {
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!outside(r) || r.width === 0 || isHiddenFromSight(el)) continue;
    // Report the element that sticks out of a parent that fits, not all its descendants too.
    const parent = el.parentElement;
    if (parent && parent !== document.body && outside(parent.getBoundingClientRect())) continue;
    const twoDimensional = !!el.closest('table, img, picture, video, canvas, svg, iframe, math, [role="img"], [role="application"]');
    offenders.push({
      selector: selectorOf(el), text: textOf(el), box: docBox(r), twoDimensional,
      overflow: Math.round(Math.max(r.right - width, -r.left)),
    });
  }
}
return { width, scrollWidth: root.scrollWidth, offenders: offenders.slice(0, 25), clipped: clippedText() };
