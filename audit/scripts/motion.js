// Animations and transitions still running once the page has loaded (CSS, SVG and Web Animations).
return document.getAnimations().filter((a) => a.playState === 'running').map((a) => {
  const target = a.effect && a.effect.target;
  const timing = a.effect ? a.effect.getComputedTiming() : {};
  const total = timing.iterations === Infinity ? Infinity : (timing.duration || 0) * (timing.iterations || 1);
  return {
    selector: target ? selectorOf(target) : '',
    name: a.animationName || a.transitionProperty || a.id || a.constructor.name,
    milliseconds: total === Infinity ? null : total,
    box: target ? docBox(target.getBoundingClientRect()) : null,
  };
});
