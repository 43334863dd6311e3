/**
 * What reads badly on a projector, measured in the page (run with page.evaluate; it must stay
 * self-contained: no imports, no closures). For every plot in the lesson stage:
 * - cut: an SVG text (tick label, axis title, mark or line label) not wholly inside its plot frame (the
 *   frame clips its content, so such text is cut on screen);
 * - overlap: two SVG labels of one plot that overlap (a y tick label under the rotated y title, two
 *   onset labels in the top row, a line label over a mark label);
 * - short: a rotated y-axis title longer than the plot area it names (it then runs into the x axis).
 * - the text column: an equation wider than the column, or a column that must scroll.
 * Each fault is a short human line; an empty list is a clean layout.
 */
export function layoutFaults(): string[] {
  const out: string[] = [];
  const TOL = 1;
  // The explorer's plots (.rfp-frame) and its ensemble plots (.ens-frame: a lesson's η sweep).
  const frames = [...document.querySelectorAll<HTMLElement>('.lesson-plots .rfp-frame, .lesson-plots .ens-frame')];
  for (const frame of frames) {
    const name = frame.closest('.lesson-plot-cell')?.getAttribute('data-plot') ?? '?';
    const fr = frame.getBoundingClientRect();
    const texts = [...frame.querySelectorAll<SVGTextElement>('svg text')].filter((t) => (t.textContent ?? '').trim() && t.getClientRects().length);
    const boxes = texts.map((t) => ({ r: t.getBoundingClientRect(), s: (t.textContent ?? '').trim(), rot: /rotate/.test(t.getAttribute('transform') ?? ''), axis: t.parentElement?.getAttribute('data-role') ?? '' }));
    for (const { r, s } of boxes) {
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < fr.left - TOL || r.right > fr.right + TOL || r.top < fr.top - TOL || r.bottom > fr.bottom + TOL) out.push(`${name}: "${s}" is cut (outside its plot frame)`);
    }
    // Text boxes include the font's line gap; shrink them a little so touching glyph boxes are not faults.
    // A rotated title's line box is its width on screen.
    const inner = (r: DOMRect, rotated: boolean) =>
      rotated ? { l: r.left + r.width * 0.15, r: r.right - r.width * 0.15, t: r.top + 1, b: r.bottom - 1 } : { l: r.left + 1, r: r.right - 1, t: r.top + r.height * 0.15, b: r.bottom - r.height * 0.15 };
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        // Known, left to the plane's own margins (ContourPlot keeps the explorer's): its lowest y tick
        // label and its leftmost x tick label may touch in the corner when both sit on it.
        if (name === 'plane' && !boxes[i].rot && !boxes[j].rot && [boxes[i].axis, boxes[j].axis].sort().join() === 'x-axis,y-axis') continue;
        const a = inner(boxes[i].r, boxes[i].rot);
        const b = inner(boxes[j].r, boxes[j].rot);
        if (a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b) out.push(`${name}: "${boxes[i].s}" overlaps "${boxes[j].s}"`);
      }
    const yTitle = frame.querySelector<SVGTextElement>('[data-role=y-axis] > text:last-of-type');
    const yAxis = frame.querySelector<SVGLineElement>('[data-role=y-axis] > line');
    if (yTitle && yAxis) {
      const t = yTitle.getBoundingClientRect();
      const a = yAxis.getBoundingClientRect();
      if (t.height > a.height + 2) out.push(`${name}: the y title "${yTitle.textContent}" is longer than its axis`);
    }
    // An ensemble plot's axes: the rotated y title against the plot area's box.
    const ensTitle = frame.querySelector<SVGTextElement>('.ens-axes > text[transform*=rotate]');
    const ensArea = frame.querySelector<SVGRectElement>('.ens-axes > rect');
    if (ensTitle && ensArea && ensTitle.getBoundingClientRect().height > ensArea.getBoundingClientRect().height + 2) out.push(`${name}: the y title "${ensTitle.textContent}" is longer than its axis`);
  }
  // The text column: every equation fits its width (Tex shrinks a long one; past that it would scroll),
  // and the column itself needs no scrolling.
  for (const eq of document.querySelectorAll<HTMLElement>('.lesson-side .lesson-eq')) {
    const k = eq.querySelector<HTMLElement>('.katex');
    if (k && k.scrollWidth > eq.clientWidth + 1) out.push(`equation "${(eq.querySelector('annotation')?.textContent ?? '').slice(0, 40)}" is cut (${k.scrollWidth} px in ${eq.clientWidth} px)`);
  }
  const side = document.querySelector<HTMLElement>('.lesson-side');
  if (side && side.scrollHeight > side.clientHeight + 1) out.push(`the text column scrolls (${side.scrollHeight} px in ${side.clientHeight} px)`);
  return out;
}
