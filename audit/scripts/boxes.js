// The box on the page of the first element each selector finds (null when it finds none).
return arg.map((selector) => {
  let el = null;
  try { el = document.querySelector(selector); } catch { return null; }
  return el ? docBox(el.getBoundingClientRect()) : null;
});
