/**
 * Export a mounted plot as SVG or PNG (DOM side; the string building is in export-svg.ts).
 *
 * A plot's root element carries `data-plot-title` and `data-plot-subtitle`, its frame `[data-plot-frame]`
 * holds the canvas layers and the overlay <svg>, and legend entries are `[data-legend-item]` with
 * `data-color`/`data-dash`/`data-kind`. Any element following that layout (or a bare <svg>) can be exported.
 */
import { buildExportSvg, type ExportLegendItem, type ExportLayer } from './export-svg.ts';

function collect(target: HTMLElement | SVGSVGElement): string {
  if (target instanceof SVGSVGElement) {
    const r = target.getBoundingClientRect();
    return buildExportSvg({ width: r.width, height: r.height, overlay: serializeChildren(target), layers: [] });
  }
  const frame = (target.querySelector('[data-plot-frame]') as HTMLElement | null) ?? target;
  const fr = frame.getBoundingClientRect();
  const layers: ExportLayer[] = [];
  frame.querySelectorAll('canvas').forEach((c) => {
    const r = c.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return;
    layers.push({ href: c.toDataURL('image/png'), x: r.left - fr.left, y: r.top - fr.top, width: r.width, height: r.height });
  });
  const svgs = Array.from(frame.querySelectorAll(':scope > svg, svg[data-plot-overlay]')) as SVGSVGElement[];
  const overlay = svgs
    .map((s) => {
      const r = s.getBoundingClientRect();
      return `<g transform="translate(${r.left - fr.left},${r.top - fr.top})">${serializeChildren(s)}</g>`;
    })
    .join('\n');
  const legend: ExportLegendItem[] = [];
  target.querySelectorAll('[data-legend-item]').forEach((el) => {
    const e = el as HTMLElement;
    if (e.dataset.hidden === 'true') return;
    legend.push({
      label: e.dataset.label ?? e.textContent ?? '',
      color: e.dataset.color ?? '#000',
      dash: e.dataset.dash || undefined,
      kind: (e.dataset.kind as ExportLegendItem['kind']) || 'line',
      opacity: e.dataset.opacity ? Number(e.dataset.opacity) : undefined,
    });
  });
  return buildExportSvg({
    width: fr.width,
    height: fr.height,
    title: (target as HTMLElement).dataset?.plotTitle,
    subtitle: (target as HTMLElement).dataset?.plotSubtitle,
    legend,
    overlay,
    layers,
  });
}

/** Children of an svg, serialised, without transient parts (hover cursor) marked data-export-skip. */
function serializeChildren(svg: SVGSVGElement): string {
  const xs = new XMLSerializer();
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.querySelectorAll('[data-export-skip]').forEach((e) => e.remove());
  return Array.from(copy.childNodes)
    .map((n) => xs.serializeToString(n))
    .join('');
}

/** The export SVG markup of a plot container (or bare svg). */
export function plotSvgString(target: HTMLElement | SVGSVGElement): string {
  return collect(target);
}

function download(href: string, filename: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function exportSvg(target: HTMLElement | SVGSVGElement, filename: string): void {
  const blob = new Blob([collect(target)], { type: 'image/svg+xml;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  download(url, filename.endsWith('.svg') ? filename : `${filename}.svg`);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Rasterise the export SVG (canvas layers included) at `scale`× and return a PNG blob. */
export async function plotPngBlob(target: HTMLElement | SVGSVGElement, scale = 2): Promise<Blob> {
  const svg = collect(target);
  const m = /width="(\d+)" height="(\d+)"/.exec(svg);
  const w = m ? Number(m[1]) : 800;
  const h = m ? Number(m[2]) : 600;
  const img = new Image();
  img.decoding = 'sync';
  const url = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
  await new Promise<void>((resolve, reject) => {
    img.onload = () => resolve();
    img.onerror = () => reject(new Error('could not rasterise the plot SVG'));
    img.src = url;
  });
  const c = document.createElement('canvas');
  c.width = Math.round(w * scale);
  c.height = Math.round(h * scale);
  const ctx = c.getContext('2d');
  if (!ctx) throw new Error('no 2-D canvas context for PNG export');
  ctx.scale(scale, scale);
  ctx.drawImage(img, 0, 0, w, h);
  return await new Promise<Blob>((resolve, reject) =>
    c.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'),
  );
}

export async function exportPng(target: HTMLElement | SVGSVGElement, filename: string, scale = 2): Promise<void> {
  const blob = await plotPngBlob(target, scale);
  const url = URL.createObjectURL(blob);
  download(url, filename.endsWith('.png') ? filename : `${filename}.png`);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
