/** Which of the page's messages may reach a custom expression (and so need mathjs loaded first). */
import type { ToWorker } from './protocol.ts';

export function needsMathjs(m: ToWorker): boolean {
  switch (m.type) {
    case 'run':
      return m.config.problem.id === 'custom';
    case 'grid':
      return m.problem.id === 'custom';
    case 'import':
      return true; // the file's problem is known only after parsing it
    default:
      return false; // forks, exports and steps act on a run whose problem is already compiled
  }
}
