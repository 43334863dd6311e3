/**
 * Which lesson page the app shows, derived from the settings' lesson fields (the URL's lesson=, scene=,
 * presenter=, see src/state/url.ts) plus two things that are not in the schema: the landing page (the
 * page was opened with no URL parameters at all) and an authored scene (a "save as scene" link carries
 * its caption in the URL's hash, #caption=…, so it needs no new schema field).
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { useApp } from '../state/store.ts';
import { findLesson } from './registry.ts';
import type { Lesson } from './schema.ts';

/** Read when this module is first evaluated: before the controller writes the opened link's canonical URL. */
const BOOT_SEARCH = typeof location !== 'undefined' ? location.search : '';
const BOOT_HASH = typeof location !== 'undefined' ? location.hash : '';

export const MAX_AUTHORED_CAPTION = 600;

function authoredCaption(hash: string): string | null {
  // The page's state lives in the fragment too (#v=1&…&caption=…, see src/state/url.ts).
  const m = /(?:^#|&)caption=([^&]*)/s.exec(hash);
  if (!m) return null;
  try {
    const text = decodeURIComponent(m[1].replace(/\+/g, ' ')).trim();
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
  landing: (BOOT_SEARCH === '' || BOOT_SEARCH === '?') && !/^#(?:.*&)?v=/.test(BOOT_HASH),
  authored: authoredCaption(BOOT_HASH),
  about: false,
}));

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
