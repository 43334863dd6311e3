/** One equation typeset with KaTeX (display mode), with the flow-coloured macros of src/lessons/tex.ts. */
import katex from 'katex';
import 'katex/dist/katex.min.css';
import { useMemo } from 'react';
import { TEX_MACROS } from '../../lessons/tex.ts';

export function renderTex(tex: string, display = true): string {
  // throwOnError off: a bad equation shows KaTeX's own red error text (the e2e tests look for it) instead of
  // taking the scene down.
  return katex.renderToString(tex, { displayMode: display, throwOnError: false, macros: { ...TEX_MACROS }, output: 'htmlAndMathml', trust: false, strict: 'ignore' });
}

export function Tex({ tex, display = true }: { tex: string; display?: boolean }) {
  const html = useMemo(() => renderTex(tex, display), [tex, display]);
  return <span className={display ? 'lesson-eq' : 'lesson-eq-inline'} dangerouslySetInnerHTML={{ __html: html }} />;
}
