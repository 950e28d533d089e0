// Helpers shared by the measuring scripts. Each script runs as `(arg) => { <this file> <script> }`.

// A short CSS selector that finds `el` again: an id if it has a unique one, else a path of tags with
// their first class and a position among siblings of the same tag.
const selectorOf = (el) => {
  const parts = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    if (node.id && document.querySelectorAll(`#${CSS.escape(node.id)}`).length === 1) {
      parts.unshift(`#${CSS.escape(node.id)}`);
      break;
    }
    let part = node.localName;
    if (node === document.body || node === document.documentElement) {
      parts.unshift(part);
      break;
    }
    const cls = [...node.classList].find((name) => !name.startsWith('js-'));
    if (cls) part += `.${CSS.escape(cls)}`;
    const parent = node.parentElement;
    const same = parent ? [...parent.children].filter((c) => c.localName === node.localName) : [];
    if (same.length > 1) part += `:nth-of-type(${same.indexOf(node) + 1})`;
    parts.unshift(part);
  }
  return parts.join(' > ');
};

// A box in document coordinates, for a screenshot crop.
const docBox = (r) => ({ x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height });

const textOf = (el) => (el.innerText || el.textContent || el.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim().slice(0, 80);

// Not rendered, or hidden from sight by the "visually hidden" pattern (a 1 px clipped box).
const hiddenCache = new Map();
const isHiddenFromSight = (el) => {
  if (hiddenCache.has(el)) return hiddenCache.get(el);
  let hidden = !el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  if (!hidden) {
    const s = getComputedStyle(el);
    const clipped = (s.clip !== 'auto' && (s.position === 'absolute' || s.position === 'fixed'))
      || s.clipPath.startsWith('inset(50%');
    const r = el.getBoundingClientRect();
    hidden = clipped || (s.overflow !== 'visible' && (r.width <= 1 || r.height <= 1));
    if (!hidden && el.parentElement && el.parentElement !== document.body) hidden = isHiddenFromSight(el.parentElement);
  }
  hiddenCache.set(el, hidden);
  return hidden;
};

// Colours: CSS colour string -> [r, g, b, alpha], sRGB 0-255.
let canvasContext = null;
const parseColour = (value) => {
  const m = /^rgba?\(([^)]*)\)$/.exec(value.trim());
  if (m) {
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(parseFloat);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  // Other colour spaces (oklch, color(display-p3 …)): let a canvas convert them to sRGB.
  canvasContext ??= new OffscreenCanvas(1, 1).getContext('2d', { willReadFrequently: true });
  canvasContext.clearRect(0, 0, 1, 1);
  canvasContext.fillStyle = value;
  canvasContext.fillRect(0, 0, 1, 1);
  const d = canvasContext.getImageData(0, 0, 1, 1).data;
  return [d[0], d[1], d[2], d[3] / 255];
};
const blend = (top, bottom) => {
  const a = top[3] + bottom[3] * (1 - top[3]);
  if (a === 0) return [0, 0, 0, 0];
  const mix = (i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
  return [mix(0), mix(1), mix(2), a];
};
// Relative luminance and contrast ratio as WCAG 2.2 defines them.
const luminance = ([r, g, b]) => {
  const lin = (c) => { const v = c / 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
};
const contrast = (a, b) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};
const css = ([r, g, b]) => `rgb(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)})`;

// The colour behind an element: its own and its ancestors' backgrounds, blended down to the canvas.
// `null` when a background image or gradient is in the way (a person has to judge).
const canvasColour = () => {
  const root = parseColour(getComputedStyle(document.documentElement).backgroundColor);
  return root[3] > 0 ? blend(root, [255, 255, 255, 1]) : [255, 255, 255, 1];
};
const backgroundBehind = (el) => {
  const layers = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const s = getComputedStyle(node);
    if (s.backgroundImage !== 'none') return null;
    const colour = parseColour(s.backgroundColor);
    if (colour[3] > 0) layers.push(colour);
    if (colour[3] >= 1) break;
  }
  return layers.reduceRight((under, layer) => blend(layer, under), canvasColour());
};
const opacityOf = (el) => {
  let opacity = 1;
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) opacity *= parseFloat(getComputedStyle(node).opacity);
  return opacity;
};

// The nearest ancestor that lays out its own lines (not display: inline or contents).
const blockOf = (el) => {
  let node = el;
  while (node.parentElement && ['inline', 'contents'].includes(getComputedStyle(node).display)) node = node.parentElement;
  return node;
};

// Elements whose text is cut off by overflow: hidden or clip, with how far it runs over.
const clippedText = () => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const s = getComputedStyle(el);
    const hidesX = s.overflowX === 'hidden' || s.overflowX === 'clip';
    const hidesY = s.overflowY === 'hidden' || s.overflowY === 'clip';
    if (!(hidesX || hidesY) || !el.textContent.trim() || isHiddenFromSight(el)) continue;
    const overX = hidesX ? el.scrollWidth - el.clientWidth : 0;
    const overY = hidesY ? el.scrollHeight - el.clientHeight : 0;
    if (overX > 1 || overY > 1) {
      out.push({ selector: selectorOf(el), text: textOf(el), overX, overY, box: docBox(el.getBoundingClientRect()) });
    }
  }
  return out;
};

// The part of the window an element's overflow-clipping ancestors leave visible.
const clipCache = new Map();
const clipOf = (el) => {
  if (clipCache.has(el)) return clipCache.get(el);
  const clip = el.parentElement ? { ...clipOf(el.parentElement) } : { left: -Infinity, top: -Infinity, right: Infinity, bottom: Infinity };
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  if (s.overflowX !== 'visible') { clip.left = Math.max(clip.left, r.left); clip.right = Math.min(clip.right, r.right); }
  if (s.overflowY !== 'visible') { clip.top = Math.max(clip.top, r.top); clip.bottom = Math.min(clip.bottom, r.bottom); }
  clipCache.set(el, clip);
  return clip;
};
const resetCaches = () => { hiddenCache.clear(); clipCache.clear(); };

// Pairs of visible text fragments (one per line of each text node, less what is clipped) whose letters overlap.
// Each fragment is trimmed to its em box: a tall font's line box may reach into the next line
// although no letters touch.
const overlappingText = () => {
  const fragments = [];
  const range = document.createRange();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let index = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.data.trim() || !el || el.closest('script, style, noscript, template') || isHiddenFromSight(el)) continue;
    const em = parseFloat(getComputedStyle(el).fontSize);
    const clip = clipOf(el);
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      const middle = (r.top + r.bottom) / 2;
      const half = Math.min(r.height, em) / 2;
      // Only what shows: text an overflow: hidden ancestor cuts off cannot overlap anything.
      const f = {
        node: index, el, left: Math.max(r.left, clip.left), right: Math.min(r.right, clip.right),
        top: Math.max(middle - half, clip.top), bottom: Math.min(middle + half, clip.bottom),
      };
      if (f.right - f.left >= 1 && f.bottom - f.top >= 1) fragments.push(f);
    }
    index += 1;
  }
  fragments.sort((a, b) => a.top - b.top);
  const out = [];
  const seen = new Set();
  for (let i = 0; i < fragments.length; i += 1) {
    const a = fragments[i];
    for (let j = i + 1; j < fragments.length && fragments[j].top < a.bottom; j += 1) {
      const b = fragments[j];
      if (a.node === b.node) continue;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w <= 2 || h <= 2) continue;
      const key = `${selectorOf(a.el)}|${selectorOf(b.el)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const left = Math.min(a.left, b.left);
      const top = Math.min(a.top, b.top);
      const box = docBox({ left, top, width: Math.max(a.right, b.right) - left, height: Math.max(a.bottom, b.bottom) - top });
      out.push({ selector: selectorOf(a.el), other: selectorOf(b.el), text: textOf(a.el), otherText: textOf(b.el), box });
    }
  }
  return out;
};
