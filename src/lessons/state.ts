/**
 * Which lesson page the app shows, derived from the settings' lesson fields (the URL's lesson=, scene=,
 * presenter=, see src/state/url.ts) plus two things the settings do not carry: the landing page (the
 * page was opened with a bare address) and an authored scene (a "save as scene" link's caption=).
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { useApp } from '../state/store.ts';
import { findLesson } from './registry.ts';
import type { Lesson } from './schema.ts';

/**
 * Read when this module is first evaluated, before the controller rewrites the address: whether the page
 * was opened bare (the landing page), and an authored scene's caption (`caption=` in the link, which the
 * URL schema reserves for the lessons and does not keep in the settings).
 */
const BOOT_HASH = typeof location !== 'undefined' ? location.hash.replace(/^#/, '') : '';
const BOOT_SEARCH = typeof location !== 'undefined' ? location.search.replace(/^\?/, '') : '';

export const MAX_AUTHORED_CAPTION = 600;

function authoredCaption(params: string): string | null {
  try {
    const text = new URLSearchParams(params).get('caption')?.trim();
    return text ? text.slice(0, MAX_AUTHORED_CAPTION) : null;
  } catch {
    return null;
  }
}

interface LessonUi {
  landing: boolean;
  authored: string | null;
  about: boolean;
}

export const lessonUi = createStore<LessonUi>(() => ({
  landing: (BOOT_SEARCH === '' || BOOT_SEARCH === '?') && !/^(?:.*&)?v=/.test(BOOT_HASH),
  authored: authoredCaption(BOOT_HASH),
  about: false,
}));

// A link followed inside the page (the lesson index, the explorer) leaves the landing page and an authored scene.
if (typeof window !== 'undefined')
  window.addEventListener('popstate', () => {
    if (location.hash.replace(/^#/, '') !== '') lessonUi.setState({ landing: false, authored: authoredCaption(location.hash.replace(/^#/, '')) });
  });

export function useLessonUi<T>(sel: (s: LessonUi) => T): T {
  return useStore(lessonUi, sel);
}

export type Route =
  | { kind: 'landing' }
  | { kind: 'index' }
  | { kind: 'scene'; lesson: Lesson; index: number }
  | { kind: 'authored'; caption: string }
  | { kind: 'missing'; what: string };

/** The lesson page to show, or null for the free explorer. */
export function useRoute(): Route | null {
  const lesson = useApp((s) => s.settings.lesson);
  const scene = useApp((s) => s.settings.scene);
  const landing = useLessonUi((s) => s.landing);
  const authored = useLessonUi((s) => s.authored);
  if (lesson === 'index') return { kind: 'index' };
  if (lesson !== undefined) {
    const l = findLesson(lesson);
    if (!l) return { kind: 'missing', what: `There is no lesson ${lesson}.` };
    const i = (scene ?? 1) - 1;
    if (i < 0 || i >= l.scenes.length) return { kind: 'missing', what: `Lesson ${l.number} has ${l.scenes.length} scenes, not ${scene}.` };
    return { kind: 'scene', lesson: l, index: i };
  }
  if (authored) return { kind: 'authored', caption: authored };
  if (landing) return { kind: 'landing' };
  return null;
}

export function usePresenter(): boolean {
  return useApp((s) => s.settings.presenter === true);
}
