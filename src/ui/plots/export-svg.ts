/**
 * Serialising a plot to one standalone SVG: title, subtitle, legend, the canvas layers as <image> data URLs and the
 * overlay SVG (axes, annotations) on top. Pure string building: test/plots-export.test.ts.
 * Everything is styled with attributes (not CSS classes) so the file renders the same anywhere.
 */

export interface ExportLayer {
  /** data: URL of a canvas (PNG). */
  href: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ExportLegendItem {
  label: string;
  color: string;
  dash?: string;
  /** 'points' draws a dot instead of a line swatch. */
  kind?: 'line' | 'points' | 'line+points';
  /** Ghost runs are faint in the plot and in the legend. */
  opacity?: number;
}

export interface ExportSpec {
  /** Size of the plotting frame (canvas + overlay SVG) in CSS px. */
  width: number;
  height: number;
  title?: string;
  /** The grey description line under the title; wrapped to the width. */
  subtitle?: string;
  legend?: ExportLegendItem[];
  /** Inner markup of the overlay <svg> (its children, serialised). */
  overlay: string;
  layers: ExportLayer[];
  background?: string;
  fontFamily?: string;
}

export const EXPORT_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const TITLE_H = 30;
const LEGEND_ROW_H = 24;
const LEGEND_FONT = 14;
/** The subtitle as on the page (plots.css .rfp-subtitle: 13px, line-height 1.3, #555). */
const SUB_FONT = 13;
const SUB_LINE_H = 17;
/** Space below the subtitle block, before the legend or the plot. */
const SUB_GAP = 6;
const SIDE = 8;

/** Rough text width (no DOM): 0.58 em per character is safe for sans-serif at this size. */
function textWidth(s: string, size: number): number {
  return s.length * size * 0.58;
}

/**
 * Words of `text` greedily packed into lines no wider than `width` (by the textWidth estimate, which errs
 * wide, so a line fits when rendered); a single word wider than that gets a line of its own.
 */
export function wrapText(text: string, width: number, size: number): string[] {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    const next = cur ? `${cur} ${w}` : w;
    if (cur && textWidth(next, size) > width) {
      lines.push(cur);
      cur = w;
    } else cur = next;
  }
  if (cur) lines.push(cur);
  return lines;
}

/** Legend items laid out in rows that fit `width`; returns item positions and the block height. */
export function layoutLegend(items: ExportLegendItem[], width: number): { x: number; row: number }[] {
  const out: { x: number; row: number }[] = [];
  let x = 8;
  let row = 0;
  for (const it of items) {
    const w = 30 + textWidth(it.label, LEGEND_FONT) + 18;
    if (x + w > width && x > 8) {
      row++;
      x = 8;
    }
    out.push({ x, row });
    x += w;
  }
  return out;
}

export function buildExportSvg(spec: ExportSpec): string {
  const font = spec.fontFamily ?? EXPORT_FONT;
  const W = Math.round(spec.width);
  const legend = spec.legend ?? [];
  const pos = layoutLegend(legend, W);
  const rows = legend.length ? Math.max(...pos.map((p) => p.row)) + 1 : 0;
  // Stacked top to bottom like the page: title, subtitle lines, legend rows, then the plot frame.
  const titleH = spec.title ? TITLE_H : 0;
  const sub = spec.subtitle ? wrapText(spec.subtitle, W - 2 * SIDE, SUB_FONT) : [];
  const subH = sub.length ? sub.length * SUB_LINE_H + SUB_GAP : 0;
  const top = titleH + subH + rows * LEGEND_ROW_H + (rows ? 4 : 0);
  const H = Math.round(top + spec.height);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${escapeXml(font)}">`,
  );
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="${escapeXml(spec.background ?? '#ffffff')}"/>`);
  if (spec.title) {
    parts.push(
      `<text x="8" y="21" font-size="17" font-weight="600" fill="#222222">${escapeXml(spec.title)}</text>`,
    );
  }
  sub.forEach((line, i) => {
    // Baseline near the bottom of its line box: descenders stay inside it.
    const y = titleH + (i + 1) * SUB_LINE_H - 4;
    parts.push(`<text x="${SIDE}" y="${y}" font-size="${SUB_FONT}" fill="#555555">${escapeXml(line)}</text>`);
  });
  const ly0 = titleH + subH;
  legend.forEach((it, i) => {
    const { x, row } = pos[i];
    const cy = ly0 + row * LEGEND_ROW_H + LEGEND_ROW_H / 2;
    const col = escapeXml(it.color);
    const op = it.opacity !== undefined && it.opacity < 1 ? ` opacity="${Math.max(0, it.opacity)}"` : '';
    if (it.kind === 'points') {
      parts.push(`<circle cx="${x + 12}" cy="${cy}" r="4" fill="${col}"${op}/>`);
    } else {
      const dash = it.dash ? ` stroke-dasharray="${escapeXml(it.dash)}"` : '';
      parts.push(`<line x1="${x}" y1="${cy}" x2="${x + 24}" y2="${cy}" stroke="${col}" stroke-width="3"${dash}${op}/>`);
      if (it.kind === 'line+points') parts.push(`<circle cx="${x + 12}" cy="${cy}" r="3.5" fill="${col}"/>`);
    }
    parts.push(
      `<text x="${x + 30}" y="${cy + 5}" font-size="${LEGEND_FONT}" fill="#222222">${escapeXml(it.label)}</text>`,
    );
  });
  parts.push(`<g transform="translate(0,${top})">`);
  for (const l of spec.layers) {
    parts.push(
      `<image x="${l.x}" y="${l.y}" width="${l.width}" height="${l.height}" preserveAspectRatio="none" href="${escapeXml(l.href)}" xlink:href="${escapeXml(l.href)}"/>`,
    );
  }
  parts.push(spec.overlay);
  parts.push('</g></svg>');
  return parts.join('\n');
}
