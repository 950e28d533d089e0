// The contrast ratio of each [foreground, background] pair, the foreground blended onto the background.
return arg.map(([fg, bg]) => { const behind = blend(parseColour(bg), [255, 255, 255, 1]); return contrast(blend(parseColour(fg), behind), behind); });
