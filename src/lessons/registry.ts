/**
 * The lessons registry: the data of lessons.ts, validated with zod when first imported. The page, the
 * stored-run script, the tests and the bench all list lessons from here.
 */
import { LESSONS_DATA, LANDING_STATE, LANDING_STEP } from './lessons.ts';
import { LessonsSchema, type Lesson, type Scene } from './schema.ts';

export { LANDING_STATE, LANDING_STEP };
/** The stored run the landing page opens on (lesson 3's). */
export const LANDING_RUN = 'self-stab';

function validate(): Lesson[] {
  const r = LessonsSchema.safeParse(LESSONS_DATA);
  if (!r.success) {
    const first = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`The lessons registry is invalid: ${first.join('; ')}`);
  }
  return r.data;
}

export const LESSONS: readonly Lesson[] = validate();

/** `lesson=` in a URL is the lesson's number (1-based) or its id. */
export function findLesson(key: string | number): Lesson | undefined {
  const n = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : NaN;
  return Number.isFinite(n) ? LESSONS.find((l) => l.number === n) : LESSONS.find((l) => l.id === key);
}

/** A scene's own address (fragment, with '#'): its state plus lesson=N&scene=M (1-based), presenter optional. */
export function sceneQuery(lesson: Lesson, sceneIndex: number, presenter = false): string {
  const scene = lesson.scenes[sceneIndex];
  return `#${scene.state}&lesson=${lesson.number}&scene=${sceneIndex + 1}${presenter ? '&presenter=1' : ''}`;
}

/** Every scene with its address, in order (tests, bench, stored-run script). */
export function allScenes(): { lesson: Lesson; index: number; scene: Scene }[] {
  return LESSONS.flatMap((lesson) => lesson.scenes.map((scene, index) => ({ lesson, index, scene })));
}

/** Distinct stored runs and the state each is computed from (scenes sharing a run share its state). */
export function storedRuns(): Map<string, string> {
  const out = new Map<string, string>();
  for (const { scene } of allScenes()) {
    if (!scene.storedRun) continue;
    const prev = out.get(scene.storedRun);
    if (prev !== undefined && prev !== scene.state) throw new Error(`Stored run '${scene.storedRun}' is used by scenes with different states.`);
    out.set(scene.storedRun, scene.state);
  }
  if (out.get(LANDING_RUN) !== LANDING_STATE) throw new Error(`The landing page's run '${LANDING_RUN}' must be a scene's run with the landing state.`);
  return out;
}
