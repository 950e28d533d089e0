// How much of an element other content covers: sample points in each of its boxes (one per line for
// a link that wraps), and at each, look down the stack of elements there to the element itself. A
// box above it that paints (a background, text, an image) covers that point; a transparent box does not.
const paints = (node, x, y) => {
  if (node.matches('img, svg, video, canvas, iframe, input, select, textarea, button')) return true;
  const s = getComputedStyle(node);
  if (parseColour(s.backgroundColor)[3] > 0.1 || s.backgroundImage !== 'none') return true;
  const range = document.createRange();
  for (const child of node.childNodes) {
    if (child.nodeType !== 3 || !child.data.trim()) continue;
    range.selectNodeContents(child);
    for (const r of range.getClientRects()) if (x >= r.left && x <= r.right && y >= r.top && y <= r.bottom) return true;
  }
  return false;
};
const coverage = (el) => {
  const width = document.documentElement.clientWidth;
  const height = document.documentElement.clientHeight;
  let points = 0;
  let visible = 0;
  const by = new Set();
  for (const r of el.getClientRects()) {
    if (r.width < 1 || r.height < 1) continue;
    for (const [fx, fy] of [[0.5, 0.5], [0.1, 0.15], [0.9, 0.15], [0.1, 0.85], [0.9, 0.85]]) {
      const x = r.left + r.width * fx;
      const y = r.top + r.height * fy;
      points += 1;
      if (x < 0 || y < 0 || x >= width || y >= height) continue;
      let covered = null;
      for (const node of document.elementsFromPoint(x, y)) {
        if (node === el || el.contains(node) || node.contains(el)) break;
        if (paints(node, x, y)) { covered = node; break; }
      }
      if (covered) by.add(selectorOf(covered.closest('[class]') || covered));
      else visible += 1;
    }
  }
  return { points, visible, by: [...by] };
};
