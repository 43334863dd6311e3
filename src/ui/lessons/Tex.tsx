/** One equation typeset with KaTeX (display mode), with the flow-coloured macros of src/lessons/tex.ts. */
import katex from 'katex';
import 'katex/dist/katex.min.css';
import { useLayoutEffect, useMemo, useRef } from 'react';
import { TEX_MACROS } from '../../lessons/tex.ts';
import { useElementWidth } from '../plots/dom.ts';

/** The smallest scale a long equation is shrunk to so that it fits its column (beyond it, it scrolls). */
const MIN_FIT = 0.72;

export function renderTex(tex: string, display = true): string {
  // throwOnError off: a bad equation shows KaTeX's own red error text (the e2e tests look for it) instead of
  // taking the scene down.
  return katex.renderToString(tex, { displayMode: display, throwOnError: false, macros: { ...TEX_MACROS }, output: 'htmlAndMathml', trust: false, strict: 'ignore' });
}

export function Tex({ tex, display = true }: { tex: string; display?: boolean }) {
  const html = useMemo(() => renderTex(tex, display), [tex, display]);
  const ref = useRef<HTMLSpanElement>(null);
  const width = useElementWidth(ref);
  // A display equation wider than its column is scaled down to fit (a cut equation cannot be read from
  // the back of a room; a scrolled one cannot be read at all on a projector).
  useLayoutEffect(() => {
    const el = ref.current;
    const k = el?.querySelector<HTMLElement>('.katex');
    if (!display || !el || !k) return;
    k.style.fontSize = '';
    const over = k.scrollWidth / Math.max(1, el.clientWidth);
    if (over > 1) k.style.fontSize = `${Math.max(MIN_FIT, 1 / over) * parseFloat(getComputedStyle(k).fontSize)}px`;
  }, [html, width, display]);
  return <span ref={ref} className={display ? 'lesson-eq' : 'lesson-eq-inline'} dangerouslySetInnerHTML={{ __html: html }} />;
}
