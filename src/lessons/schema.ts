/**
 * The shape of a lesson, validated with zod when the registry loads (a malformed lesson is a build-time
 * error in the tests, never a blank page).
 *
 * A lesson is data: an id, a title and ordered scenes. A scene is a page state in the URL schema (the
 * same query string a person could paste), which plots are shown and how big, a caption that says what
 * to notice, equations (KaTeX, with flow-coloured macros, see tex.ts), annotations drawn on the plots,
 * at most one "try this" prompt, the controls shown in presenter mode, and references.
 *
 * Numbers a caption states are written `[[0.408]]`: test/lessons.test.ts checks each against the engine,
 * to the precision printed, and fails on any other number in a caption.
 */
import { z } from 'zod';
import { CONTROL_IDS, type ControlId } from '../state/settings.ts';

/** 'sweep': the explorer's η sweep (bifurcation diagram) of the scene's problem and start, computed live. */
export const PLOT_IDS = ['plane', 'sharpness', 'loss', 'rod', 'centre', 'distance', 'cost', 'sweep'] as const;
export type PlotId = (typeof PLOT_IDS)[number];

export const REF_IDS = ['cohen2021', 'damian2023', 'cohen2025', 'regis2026'] as const;
export type RefId = (typeof REF_IDS)[number];

const slug = z.string().regex(/^[a-z0-9-]{1,40}$/, 'a lowercase slug');
const point = z.tuple([z.number(), z.number()]);

const Annotation = z.discriminatedUnion('kind', [
  /** A vertical mark at a time (GD steps) on a time-series plot: "onset", "catapult". */
  z.object({ kind: z.literal('step'), plot: z.enum(PLOT_IDS), t: z.number().nonnegative(), label: z.string().min(1).max(40) }),
  /** A horizontal labelled value on a time-series plot (or the loss axis of a 1-D plane). */
  z.object({ kind: z.literal('value'), plot: z.enum(PLOT_IDS), y: z.number(), label: z.string().min(1).max(60) }),
  /** An arrow (drawn as a labelled segment) in the plane, data coordinates. */
  z.object({ kind: z.literal('arrow'), plot: z.literal('plane'), from: point, to: point, label: z.string().min(1).max(40) }),
  /** A labelled point in the plane. */
  z.object({ kind: z.literal('point'), plot: z.literal('plane'), at: point, label: z.string().min(1).max(40) }),
]);
export type Annotation = z.infer<typeof Annotation>;

export const SceneSchema = z
  .object({
    id: slug,
    title: z.string().min(1).max(80),
    /** The page state: a query string in the URL schema (v=1), e.g. `v=1&problem=quartic&eta=1`. */
    state: z.string().regex(/^v=1&/, 'a v=1 query string without "?"'),
    plots: z
      .array(z.object({ id: z.enum(PLOT_IDS), size: z.enum(['large', 'medium', 'small']) }))
      .min(1)
      .max(3),
    caption: z.string().min(10).max(600),
    /** TeX, typeset with KaTeX; \gd{}, \gf{}, \cf{}, \rf{}, \edge{} colour a symbol like its series. */
    equations: z.array(z.string().min(1).max(300)).max(3),
    annotations: z.array(Annotation).max(6),
    tryThis: z.string().min(5).max(160).optional(),
    /** The control groups presenter mode shows (solver tolerances and integrator options never). */
    controls: z.array(z.enum(CONTROL_IDS as unknown as [ControlId, ...ControlId[]])).refine((c) => !c.includes('options'), 'flow options are never shown in a scene'),
    refs: z.array(z.enum(REF_IDS)).max(4),
    /** A stored run opens this scene (public/runs/<storedRun>.json); omitted = the scene computes live. */
    storedRun: slug.optional(),
  })
  .strict();
export type Scene = z.infer<typeof SceneSchema>;

export const LessonSchema = z
  .object({
    id: slug,
    number: z.number().int().positive(),
    title: z.string().min(1).max(80),
    summary: z.string().min(10).max(240),
    scenes: z.array(SceneSchema).min(1).max(12),
  })
  .strict()
  .refine((l) => new Set(l.scenes.map((s) => s.id)).size === l.scenes.length, 'scene ids must be unique within a lesson');
export type Lesson = z.infer<typeof LessonSchema>;

export const LessonsSchema = z
  .array(LessonSchema)
  .min(1)
  .refine((ls) => new Set(ls.map((l) => l.id)).size === ls.length, 'lesson ids must be unique')
  .refine((ls) => ls.every((l, i) => l.number === i + 1), 'lessons are numbered 1, 2, … in order');

/** The papers the lessons cite (the About panel lists them all). */
export const REFERENCES: Record<RefId, { authors: string; title: string; venue: string; url: string }> = {
  cohen2021: {
    authors: 'Cohen, Kaur, Li, Kolter & Talwalkar',
    title: 'Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability',
    venue: 'ICLR 2021, arXiv 2103.00065',
    url: 'https://arxiv.org/abs/2103.00065',
  },
  damian2023: {
    authors: 'Damian, Nichani & Lee',
    title: 'Self-Stabilization: The Implicit Bias of Gradient Descent at the Edge of Stability',
    venue: 'ICLR 2023, arXiv 2209.15594',
    url: 'https://arxiv.org/abs/2209.15594',
  },
  cohen2025: {
    authors: 'Cohen, Damian, Talwalkar, Kolter & Lee',
    title: 'Understanding Optimization in Deep Learning with Central Flows',
    venue: 'ICLR 2025, arXiv 2410.24206',
    url: 'https://arxiv.org/abs/2410.24206',
  },
  regis2026: {
    authors: 'Regis & Chewi',
    title: 'Rod Flow: A Continuous-Time Model for Gradient Descent at the Edge of Stability',
    venue: 'arXiv 2602.01480',
    url: 'https://arxiv.org/abs/2602.01480',
  },
};
