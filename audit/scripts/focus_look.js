// How an element and its parts look: the properties a focus indicator can change.
const LOOK = ['outline-style', 'outline-width', 'outline-color', 'outline-offset', 'box-shadow', 'background-color',
  'background-image', 'border-top-color', 'border-right-color', 'border-bottom-color', 'border-left-color',
  'border-top-width', 'border-bottom-width', 'color', 'text-decoration-line', 'text-decoration-thickness', 'opacity'];
// Properties that cannot show are set to 'none', so that only a change a person can see counts:
// an outline with style none or width 0, a border of width 0, a fully transparent colour.
const lookOf = (el, pseudo) => {
  const s = getComputedStyle(el, pseudo);
  if (pseudo && s.content === 'none') return null;
  const look = Object.fromEntries(LOOK.map((p) => [p, s.getPropertyValue(p)]));
  const clear = (v) => parseColour(v)[3] === 0;
  if (look['outline-style'] === 'none' || parseFloat(look['outline-width']) === 0 || clear(look['outline-color'])) {
    for (const p of ['outline-style', 'outline-width', 'outline-color', 'outline-offset']) look[p] = 'none';
  }
  for (const side of ['top', 'right', 'bottom', 'left']) {
    const width = ['top', 'bottom'].includes(side) ? look[`border-${side}-width`] : s.getPropertyValue(`border-${side}-width`);
    if (parseFloat(width) === 0) look[`border-${side}-color`] = 'none';
  }
  if (clear(look['background-color'])) look['background-color'] = 'none';
  return look;
};
// The element, its ::before and ::after, and its first 20 descendants (GOV.UK styles some focus
// states on a child, such as the pagination link's title).
const partsOf = (el) => [[el, null], [el, '::before'], [el, '::after'], ...[...el.querySelectorAll('*')].slice(0, 20).map((d) => [d, null])];
const focusLook = (el) => partsOf(el).map(([node, pseudo]) => lookOf(node, pseudo));
// A radio or checkbox drawn by its label (GOV.UK's: the input is transparent over the label's ::before,
// which shows the focus ring): its look, and whether it can be seen, are the label's.
const standIn = (el) => (el.localName === 'input' && ['radio', 'checkbox'].includes(el.type) && el.labels
  && el.labels.length && parseFloat(getComputedStyle(el).opacity) === 0 ? el.labels[0] : el);
