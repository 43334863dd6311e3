export {};

/**
 * `npm run bench [-- toys networks gpu float32 browser ensemble lessons import]`: throughput figures (not tests), and the long
 * float32-vs-float64 run whose short form is in the tests. Sections run in order; with no arguments,
 * all of them. Numbers are medians; the machine is noisy, compare ratios.
 */
const all = ['toys', 'networks', 'gpu', 'float32', 'browser', 'ensemble', 'lessons', 'import'] as const;
const asked = process.argv.slice(2).filter((a) => (all as readonly string[]).includes(a));
const sections = asked.length ? asked : [...all];

console.log(`Rod Flow Explorer benchmarks — Node ${process.version}, ${new Date().toISOString()}`);
for (const s of sections) {
  console.log(`\n=== ${s} ===`);
  try {
    if (s === 'toys') await (await import('./toys.ts')).runToyBench();
    if (s === 'networks') await (await import('./networks.ts')).runNetworkBench();
    if (s === 'gpu') await (await import('./gpu.ts')).runGpuBench();
    if (s === 'float32') await (await import('./float32.ts')).runFloat32Bench();
    if (s === 'browser') await (await import('./browser.ts')).runBrowserBench();
    if (s === 'ensemble') await (await import('./ensemble.ts')).runEnsembleBench();
    if (s === 'lessons') await (await import('./lessons.ts')).runLessonsBench();
    if (s === 'import') await (await import('./import-frames.ts')).runImportBench();
  } catch (e) {
    console.log(`(section ${s} failed: ${(e as Error).message})`);
    process.exitCode = 1;
  }
}
