export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A plain-text table, first column left-aligned, others right-aligned. */
export function table(head: string[], rows: string[][]): string {
  const all = [head, ...rows];
  const w = head.map((_, j) => Math.max(...all.map((r) => (r[j] ?? '').length)));
  const line = (r: string[]) => r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  ');
  return [line(head), w.map((n) => '─'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}
