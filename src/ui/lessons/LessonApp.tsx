/**
 * The teaching layer's pages: the landing page, the lesson index, the scene viewer (buttons and keys:
 * → / PageDown next, ← / PageUp previous, Space play/pause, F full screen) and an authored scene
 * ("save as scene" links). Presenter mode (toggle, or presenter=1 in the URL) enlarges the text and
 * shows only the controls the scene lists.
 */
import { useEffect, useState } from 'react';
import { linkFor, pause, setPlayhead, setSettings, togglePlay, copyText } from '../../state/controller.ts';
import { store, useApp } from '../../state/store.ts';
import { LESSONS, LANDING_RUN, LANDING_STATE, LANDING_STEP, sceneQuery } from '../../lessons/registry.ts';
import { REFERENCES, type Scene } from '../../lessons/schema.ts';
import { lessonUi, useLessonUi, usePresenter, useRoute, type Route } from '../../lessons/state.ts';
import { lessonPerf, openStored, runIdentity, stateSettings, watchStored } from '../../lessons/stored.ts';
import { captionText } from '../../lessons/tex.ts';
import { EtaControl } from '../EtaControl.tsx';
import { FlowToggles } from '../FlowControls.tsx';
import { ProblemParams } from '../ProblemControls.tsx';
import { StartControl } from '../StartControl.tsx';
import { Transport } from '../Transport.tsx';
import { Notices, Toast } from '../Banners.tsx';
import { AboutPanel, RefLink } from './AboutPanel.tsx';
import { ScenePlots } from './ScenePlots.tsx';
import { Tex } from './Tex.tsx';
import './lessons.css';

export { useRoute };

// Read by the end-to-end tests and the bench (bench/lessons.ts).
if (typeof window !== 'undefined') (window as unknown as { __rodflowLessons: unknown }).__rodflowLessons = { lessonPerf, goScene: (l: number, i: number) => goScene(l, i) };

/** Go to scene `index` of `lesson` inside the page (the stored run opens with it; see SceneView). */
export function goScene(lessonNumber: number, index: number): void {
  const lesson = LESSONS.find((l) => l.number === lessonNumber);
  const scene = lesson?.scenes[index];
  if (!lesson || !scene) return;
  pause();
  const presenter = store.getState().settings.presenter;
  setSettings({ ...stateSettings(scene.state), forks: undefined, lesson: String(lesson.number), scene: index + 1, presenter }, 'push');
}

function togglePresenter(): void {
  const p = store.getState().settings.presenter;
  setSettings({ presenter: p ? undefined : true }, 'replace');
}

function toggleFullscreen(): void {
  if (document.fullscreenElement) void document.exitFullscreen?.();
  else void document.documentElement.requestFullscreen?.().catch(() => undefined);
}

function useLessonKeys(route: Route): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const el = e.target as HTMLElement | null;
      if (el && el.closest('input, textarea, select, [contenteditable], [role=slider], .rfp-handle, .rfp-frame')) return;
      const scene = route.kind === 'scene' ? route : null;
      let handled = true;
      if ((e.key === 'ArrowRight' || e.key === 'PageDown') && scene) nextScene(scene, 1);
      else if ((e.key === 'ArrowLeft' || e.key === 'PageUp') && scene) nextScene(scene, -1);
      else if (e.key === ' ' && !el?.closest('button, a')) togglePlay();
      else if (e.key === 'f' || e.key === 'F') toggleFullscreen();
      else handled = false;
      if (handled) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [route]);
}

function nextScene(r: { lesson: { number: number; scenes: unknown[] }; index: number }, d: number): void {
  const i = r.index + d;
  if (i >= 0 && i < r.lesson.scenes.length) goScene(r.lesson.number, i);
  else if (i >= r.lesson.scenes.length && r.lesson.number < LESSONS.length) goScene(r.lesson.number + 1, 0);
  else if (i < 0 && r.lesson.number > 1) {
    const prev = LESSONS[r.lesson.number - 2];
    goScene(prev.number, prev.scenes.length - 1);
  }
}

export function LessonApp({ route }: { route: Route }) {
  const presenter = usePresenter();
  const about = useLessonUi((s) => s.about);
  useLessonKeys(route);
  useEffect(() => watchStored(), []);
  return (
    <div className={`lesson-app ${presenter ? 'presenter' : ''}`} data-route={route.kind}>
      <LessonBar route={route} presenter={presenter} />
      <Notices />
      {route.kind === 'index' && <LessonIndex />}
      {route.kind === 'landing' && <Landing />}
      {route.kind === 'scene' && <SceneView key={`${route.lesson.id}/${route.index}`} route={route} presenter={presenter} />}
      {route.kind === 'authored' && <AuthoredView caption={route.caption} presenter={presenter} />}
      {route.kind === 'missing' && (
        <main className="lesson-index">
          <p className="inline-error" role="alert">
            {route.what}
          </p>
          <a href="#lesson=index">All lessons</a>
        </main>
      )}
      {about && <AboutPanel onClose={() => lessonUi.setState({ about: false })} />}
      <Toast />
    </div>
  );
}

function LessonBar({ route, presenter }: { route: Route; presenter: boolean }) {
  const scene = route.kind === 'scene' ? route : null;
  return (
    <header className="lesson-bar">
      <a className="brand-link" href="#lesson=index">
        Rod Flow Explorer
      </a>
      {scene && (
        <>
          <span className="lesson-where" data-testid="lesson-where">
            Lesson {scene.lesson.number}: {scene.lesson.title} · scene {scene.index + 1}/{scene.lesson.scenes.length}
          </span>
          <span className="lesson-nav">
            <button type="button" onClick={() => nextScene(scene, -1)} disabled={scene.lesson.number === 1 && scene.index === 0} aria-label="Previous scene (← or PageUp)" data-testid="prev-scene">
              ← Prev
            </button>
            <button type="button" className="primary" onClick={() => nextScene(scene, 1)} disabled={scene.lesson.number === LESSONS.length && scene.index === scene.lesson.scenes.length - 1} aria-label="Next scene (→ or PageDown)" data-testid="next-scene">
              Next →
            </button>
          </span>
        </>
      )}
      <span className="lesson-tools">
        <a href="#lesson=index" data-testid="lessons-link">
          Lessons
        </a>
        <a href="#v=1" data-testid="explorer-link">
          Free explorer
        </a>
        <button type="button" onClick={() => lessonUi.setState({ about: true })} data-testid="about-open">
          About the models
        </button>
        {(route.kind === 'scene' || route.kind === 'authored') && (
          <button type="button" aria-pressed={presenter} onClick={togglePresenter} data-testid="presenter-toggle" title="Presenter mode: large text, only this scene's controls">
            {presenter ? 'Presenter: on' : 'Presenter'}
          </button>
        )}
        {route.kind === 'scene' && !presenter && <SaveAsScene />}
      </span>
    </header>
  );
}

export function SaveAsScene() {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)} data-testid="save-scene" title="Make a link that opens this state with your caption">
        Save as scene
      </button>
    );
  const make = () => {
    const s = store.getState().settings;
    const base = linkFor(s.hide).replace(/([#?&])(lesson|scene|presenter)=[^&]*/g, '$1').replace(/&&+/g, '&').replace(/[#?&]$/, '');
    const link = `${base}${base.includes('#') ? '&' : '#'}caption=${encodeURIComponent(text.trim().slice(0, 600))}`;
    void copyText(link, 'Scene link');
    setOpen(false);
  };
  return (
    <span className="save-scene">
      <input aria-label="Caption of the scene" placeholder="What should people notice?" value={text} maxLength={600} onChange={(e) => setText(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && make()} />
      <button type="button" className="primary" onClick={make} disabled={!text.trim()}>
        Copy link
      </button>
    </span>
  );
}

function SceneControls({ scene }: { scene: Scene }) {
  const c = new Set(scene.controls);
  return (
    <div className="lesson-controls" aria-label="Controls">
      {c.has('problem') || c.has('params') ? <ProblemParams /> : null}
      {c.has('eta') && <EtaControl />}
      {c.has('start') && <StartControl />}
      {c.has('flows') && <FlowToggles showOptions={false} />}
      {c.has('transport') && <Transport showBudget={c.has('steps')} />}
    </div>
  );
}

function SceneText({ scene }: { scene: Scene }) {
  return (
    <>
      <p className="lesson-caption" data-testid="caption">
        {captionText(scene.caption)}
      </p>
      {scene.equations.length > 0 && (
        <div className="lesson-equations" data-testid="equations">
          {scene.equations.map((e) => (
            <Tex key={e} tex={e} />
          ))}
        </div>
      )}
      {scene.tryThis && (
        <p className="lesson-try" data-testid="try-this">
          <strong>Try this:</strong> {scene.tryThis}
        </p>
      )}
    </>
  );
}

function SceneView({ route, presenter }: { route: { lesson: (typeof LESSONS)[number]; index: number }; presenter: boolean }) {
  const { lesson, index } = route;
  const scene = lesson.scenes[index];
  // Also when the settings come back to the scene's own (history back, a reset link): the stored run again.
  const ident = useApp((s) => runIdentity(s.settings));
  useEffect(() => {
    if (scene.storedRun) void openStored(scene.storedRun, scene.state);
  }, [scene, ident]);
  return (
    <div className="lesson-body" data-lesson={lesson.number} data-scene={index + 1}>
      <aside className="lesson-side">
        <h1 className="lesson-title">{scene.title}</h1>
        <SceneText scene={scene} />
        <SceneControls scene={scene} />
        {scene.refs.length > 0 && (
          <div className="lesson-refs">
            {scene.refs.map((r) => (
              <span key={r} className="ref-short">
                <a href={REFERENCES[r].url} target="_blank" rel="noopener noreferrer" title={REFERENCES[r].title}>
                  {REFERENCES[r].authors.split(/[,&]/)[0].trim()} et al., {REFERENCES[r].venue.split(',')[0]}
                </a>
              </span>
            ))}
          </div>
        )}
        {!presenter && (
          <p className="muted small-print">
            Keys: → / PageDown next · ← / PageUp previous · Space play/pause · F full screen.{' '}
            <a href={'#' + scene.state}>Open this state in the explorer</a>
          </p>
        )}
      </aside>
      <main className="lesson-stage">
        <ScenePlots scene={scene} presenter={presenter} />
      </main>
    </div>
  );
}

function AuthoredView({ caption, presenter }: { caption: string; presenter: boolean }) {
  const scene: Scene = {
    id: 'authored',
    title: 'A scene',
    state: 'v=1&',
    plots: [{ id: 'plane', size: 'large' }, { id: 'sharpness', size: 'medium' }, { id: 'loss', size: 'medium' }],
    caption,
    equations: [],
    annotations: [],
    controls: ['eta', 'transport'],
    refs: [],
  };
  return (
    <div className="lesson-body">
      <aside className="lesson-side">
        <p className="lesson-caption" data-testid="caption">
          {caption}
        </p>
        <SceneControls scene={scene} />
      </aside>
      <main className="lesson-stage">
        <ScenePlots scene={scene} presenter={presenter} />
      </main>
    </div>
  );
}

function LessonIndex() {
  return (
    <main className="lesson-index" data-testid="lesson-index">
      <h1>Lessons: gradient descent at the edge of stability</h1>
      <ol className="lesson-list">
        {LESSONS.map((l) => (
          <li key={l.id}>
            <h2>
              <a href={sceneQuery(l, 0)}>
                {l.number}. {l.title}
              </a>
            </h2>
            <p>{l.summary}</p>
            <ol className="scene-list">
              {l.scenes.map((s, i) => (
                <li key={s.id}>
                  <a href={sceneQuery(l, i)}>{s.title}</a> · <a href={sceneQuery(l, i, true)}>presenter</a>
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ol>
      <h2>References</h2>
      <ol className="refs">
        {(['cohen2021', 'damian2023', 'cohen2025', 'regis2026'] as const).map((id) => (
          <li key={id}>
            <RefLink id={id} />
          </li>
        ))}
      </ol>
    </main>
  );
}

const LANDING_SCENE: Scene = {
  id: 'landing',
  title: 'Gradient descent at the edge of stability',
  state: LANDING_STATE,
  // Two plots, each big enough to read at 1280×720: the rod is drawn in the plane (at GD's last catapult).
  plots: [{ id: 'plane', size: 'medium' }, { id: 'sharpness', size: 'large' }],
  caption: 'landing',
  equations: [],
  annotations: [],
  controls: ['transport'],
  refs: [],
  storedRun: LANDING_RUN,
};

function Landing() {
  const label = useApp((s) => s.settings.problem);
  useEffect(() => {
    // The landing state replaces the defaults the controller opened; the address bar stays bare, so a
    // reload shows the landing page again.
    if (label !== 'self-stab') {
      setSettings({ ...stateSettings(LANDING_STATE), forks: undefined }, 'replace');
      history.replaceState(null, '', location.pathname);
    }
    void openStored(LANDING_RUN, LANDING_STATE).then((ok) => ok && setPlayhead(LANDING_STEP));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <div className="lesson-body landing">
      <aside className="lesson-side">
        <h1 className="lesson-title">Gradient descent at the edge of stability</h1>
        <p className="lesson-caption">
          With step size η, gradient descent is stable only where the sharpness (the top Hessian eigenvalue) is below 2/η. Yet it keeps training: the sharpness rises to 2/η and hovers there, while
          consecutive iterates zig-zag across the valley. Watch GD (black), gradient flow (blue, dashed) that does not see the edge, and two continuous models of GD, Central Flow (green) and Rod Flow
          (vermillion), whose rod joins GD’s two consecutive iterates.
        </p>
        {/* Two lines: one line overflowed the text column at 1280 px. */}
        <Tex tex={'S(\\gd{w_k}) \\to \\edge{2/\\eta}'} />
        <Tex tex={'\\gd{\\bar w_k} = \\tfrac12(w_k + w_{k+1}),\\quad \\gd{\\delta_k} = \\tfrac12(w_{k+1} - w_k)'} />
        <nav className="landing-links">
          <a className="big-link primary" href="#lesson=index" data-testid="landing-lessons">
            Start the lessons →
          </a>
          <a className="big-link" href="#v=1" data-testid="landing-explorer">
            Open the free explorer →
          </a>
        </nav>
        <SceneControls scene={LANDING_SCENE} />
      </aside>
      <main className="lesson-stage">
        <ScenePlots scene={LANDING_SCENE} presenter={false} />
      </main>
    </div>
  );
}

/** The explorer's links to the teaching layer (mounted in its header). */
export function LessonLinks() {
  const about = useLessonUi((s) => s.about);
  return (
    <span className="lesson-links">
      <a href="#lesson=index" data-testid="lessons-link">
        Lessons
      </a>
      <button type="button" className="small" onClick={() => lessonUi.setState({ about: true })} data-testid="about-open">
        About the models
      </button>
      <SaveAsScene />
      {about && <AboutPanel onClose={() => lessonUi.setState({ about: false })} />}
    </span>
  );
}
