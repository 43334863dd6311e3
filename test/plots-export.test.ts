import { describe, expect, it } from 'vitest';
import { buildExportSvg, escapeXml, layoutLegend, wrapText } from '../src/ui/plots/export-svg.ts';

/** Minimal XML well-formedness check: balanced tags, quoted attributes, no raw '<' or '&' in text. */
function wellFormed(xml: string): boolean {
  const stack: string[] = [];
  const re = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(xml))) {
    if (m.index !== pos) return false; // something the grammar above does not accept
    pos = re.lastIndex;
    if (m[5] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(m[5])) return false;
      continue;
    }
    const [, close, name, , self] = m;
    if (self) continue;
    if (close) {
      if (stack.pop() !== name) return false;
    } else stack.push(name);
  }
  return pos === xml.length && stack.length === 0;
}

const base = {
  width: 600,
  height: 260,
  overlay: '<g><line x1="0" y1="0" x2="10" y2="10" stroke="#000"/><text x="1" y="2">2/η = 6.667</text></g>',
  layers: [{ href: 'data:image/png;base64,iVBORw0KGgo=', x: 0, y: 0, width: 600, height: 260 }],
};

describe('buildExportSvg', () => {
  it('is well-formed standalone SVG with the canvas as an image under the overlay', () => {
    const s = buildExportSvg({ ...base, title: 'Loss <GD & flows>', legend: [{ label: 'GD "raw"', color: '#222' }] });
    expect(wellFormed(s)).toBe(true);
    expect(s.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(s).toContain('Loss &lt;GD &amp; flows&gt;');
    expect(s).toContain('GD &quot;raw&quot;');
    const img = s.indexOf('<image');
    const ov = s.indexOf('2/η = 6.667');
    expect(img).toBeGreaterThan(0);
    expect(ov).toBeGreaterThan(img); // overlay painted on top of the raster layer
    expect(s).toContain('href="data:image/png;base64,iVBORw0KGgo="');
  });
  it('reserves height for the title and each legend row, and shifts the plot below them', () => {
    const none = buildExportSvg(base);
    expect(none).toContain('height="260"');
    expect(none).toContain('translate(0,0)');
    const legend = Array.from({ length: 12 }, (_, i) => ({ label: `a fairly long series name ${i}`, color: '#0072B2' }));
    const rows = Math.max(...layoutLegend(legend, 600).map((p) => p.row)) + 1;
    expect(rows).toBeGreaterThan(1);
    const s = buildExportSvg({ ...base, title: 'T', legend });
    const top = 30 + rows * 24 + 4;
    expect(s).toContain(`height="${260 + top}"`);
    expect(s).toContain(`translate(0,${top})`);
    expect(wellFormed(s)).toBe(true);
  });
  it('includes the subtitle under the title, wrapped, above the legend and the plot (nothing overlaps)', () => {
    const subtitle = "GD raw and pair-mean smoothed; each flow's own L(w) & predicted average loss <pred.>";
    const legend = [{ label: 'GD', color: '#000' }, { label: 'Rod Flow', color: '#D55E00' }];
    const s = buildExportSvg({ ...base, width: 300, title: 'Loss', subtitle, legend });
    expect(wellFormed(s)).toBe(true);
    const texts = [...s.matchAll(/<text x="([\d.]+)" y="([\d.]+)" font-size="(\d+)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({
      x: Number(m[1]), y: Number(m[2]), size: Number(m[3]), text: m[4],
    }));
    const title = texts.find((t) => t.text === 'Loss')!;
    const sub = texts.filter((t) => t.size === 13);
    const leg = texts.filter((t) => t.text === 'GD' || t.text === 'Rod Flow');
    // Wrapped at 300 px into several lines that together are the whole subtitle, escaped.
    expect(sub.length).toBeGreaterThan(1);
    expect(sub.map((t) => t.text).join(' ')).toBe(escapeXml(subtitle));
    // Stacked: each line box (baseline − font size … baseline + descent) below the one before.
    const top = Number(/translate\(0,(\d+)\)/.exec(s)![1]);
    let prevBottom = title.y + 0.25 * title.size;
    for (const t of [...sub, ...leg.slice(0, 1)]) {
      expect(t.y - t.size).toBeGreaterThanOrEqual(prevBottom - 1);
      prevBottom = t.y + 0.25 * t.size;
    }
    expect(prevBottom).toBeLessThanOrEqual(top);
    // Height: the frame plus exactly the stacked header; a plot without a subtitle is unchanged.
    expect(s).toContain(`height="${260 + top}"`);
    const without = buildExportSvg({ ...base, width: 300, title: 'Loss', legend });
    const top0 = Number(/translate\(0,(\d+)\)/.exec(without)![1]);
    expect(top - top0).toBe(sub.length * 17 + 6);
  });
  it('wrapText keeps every word in order and no line wider than asked (one over-long word excepted)', () => {
    const text = '‖w_flow − w̄_GD‖ to GD\'s pair centre: how well each flow models GD, and a_very_long_unbreakable_identifier_here';
    for (const width of [80, 150, 284, 600]) {
      const lines = wrapText(text, width, 13);
      expect(lines.join(' ')).toBe(text);
      for (const l of lines) if (l.includes(' ')) expect(l.length * 13 * 0.58).toBeLessThanOrEqual(width);
    }
    expect(wrapText('  short  ', 600, 13)).toEqual(['short']);
    expect(wrapText('', 600, 13)).toEqual([]);
  });
  it('is self-contained: no stylesheet, font or request, every href a data: URL', () => {
    const s = buildExportSvg({ ...base, title: 'T', subtitle: 'S', legend: [{ label: 'GD', color: '#000' }] });
    expect(s).not.toMatch(/<style|@import|@font-face|url\(/);
    const hrefs = [...s.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const h of hrefs) expect(h.startsWith('data:')).toBe(true);
    expect([...s.matchAll(/https?:\/\/[^"]*/g)].map((m) => m[0]).sort()).toEqual(['http://www.w3.org/1999/xlink', 'http://www.w3.org/2000/svg']);
  });
  it('legend rows never overflow the width (except a single over-long item)', () => {
    const legend = ['GD', 'gradient flow', 'central flow (pred.)', 'rod flow (pred.)', 'GD smoothed'].map((label) => ({ label, color: '#000' }));
    const pos = layoutLegend(legend, 300);
    for (let i = 1; i < pos.length; i++)
      if (pos[i].row === pos[i - 1].row) expect(pos[i].x).toBeGreaterThan(pos[i - 1].x);
    for (const p of pos) expect(p.x).toBeLessThan(300);
  });
  it('faint (ghost) legend entries keep their opacity; opaque ones carry none', () => {
    const s = buildExportSvg({ ...base, legend: [{ label: 'ghost', color: '#000', opacity: 0.25 }, { label: 'GD', color: '#000' }] });
    expect(s.match(/opacity="0.25"/g)?.length).toBe(1);
    expect(s).not.toContain('opacity="1"');
  });
  it('escapeXml escapes the five XML specials', () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
  });
  it('the well-formedness checker itself rejects broken markup', () => {
    expect(wellFormed('<svg><g></svg>')).toBe(false);
    expect(wellFormed('<svg><text>a & b</text></svg>')).toBe(false);
    expect(wellFormed('<svg><text>a &amp; b</text></svg>')).toBe(true);
  });
});
