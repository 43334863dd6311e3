/**
 * KaTeX macros that colour a symbol like the series it names, from the flow registry's colours (through
 * the palette, which test/plots-palette.test.ts keeps equal to the registry): \gd{w_k} is drawn in GD's
 * colour, \rf{\bar w} in Rod Flow's, \cf{\sigma^2} in Central Flow's, \gf{w} in gradient flow's, and
 * \edge{2/\eta} in the colour of the 2/η line.
 */
import { FLOW_COLORS, REF_COLORS } from '../ui/palette.ts';

// '#' inside a macro body is TeX's parameter sign, so colours are written as bare hex (KaTeX accepts it).
const hex = (c: string) => c.replace(/^#/, '');

export const TEX_MACROS: Record<string, string> = {
  '\\gd': `\\textcolor{${hex(FLOW_COLORS.gd)}}{#1}`,
  '\\gf': `\\textcolor{${hex(FLOW_COLORS['gradient-flow'])}}{#1}`,
  '\\cf': `\\textcolor{${hex(FLOW_COLORS['central-flow'])}}{#1}`,
  '\\rf': `\\textcolor{${hex(FLOW_COLORS['rod-flow'])}}{#1}`,
  '\\edge': `\\textcolor{${hex(REF_COLORS.edge)}}{#1}`,
};

/** Caption text with its checked numbers' markers removed: `[[0.408]]` → `0.408`. */
export function captionText(s: string): string {
  return s.replace(/\[\[([^\]]+)\]\]/g, '$1');
}

/** The checked numbers of a caption, in order (the text inside `[[…]]`). */
export function captionFacts(s: string): string[] {
  return [...s.matchAll(/\[\[([^\]]+)\]\]/g)].map((m) => m[1]);
}
