/** The explorable: header, controls (generated from the registries), transport, plots. */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { getProblemSpec } from '../engine/problems/registry.ts';
import { reset, stepOnce, togglePlay } from '../state/controller.ts';
import type { ControlId } from '../state/settings.ts';
import { useApp } from '../state/store.ts';
import { DivergenceBanner, Notices, RunError, Toast } from './Banners.tsx';
import { EtaControl } from './EtaControl.tsx';
import { EnsemblePanel } from './ensemble/EnsemblePanel.tsx';
import { FlowToggles } from './FlowControls.tsx';
import { PlotsPanel } from './PlotsPanel.tsx';
import { ProblemParams, ProblemSelect } from './ProblemControls.tsx';
import { BackendBadge, ExportPanel, LinksPanel, RunsPanel, ViewControls } from './SidePanels.tsx';
import { StartControl } from './StartControl.tsx';
import { Transport } from './Transport.tsx';
import { LessonApp, LessonLinks, useRoute } from './lessons/LessonApp.tsx';

function Section({ title, children, id }: { title: string; children: ReactNode; id: string }) {
  return (
    <section className="panel" aria-labelledby={`h-${id}`}>
      <h2 id={`h-${id}`}>{title}</h2>
      {children}
    </section>
  );
}

function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      // Text fields, sliders and selects keep their keys; on a button only Space (which presses it) is its own.
      if (el && el.closest('input, textarea, select, [contenteditable], [role=slider], .rfp-handle')) return;
      if (e.key === ' ' && el?.closest('button')) return;
      if (e.key === ' ') {
        e.preventDefault();
        togglePlay();
      } else if (e.key === 'ArrowRight' || e.key === '.') {
        stepOnce();
      } else if (e.key === 'r' || e.key === 'R') {
        reset();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** The lesson pages (src/ui/lessons) when the URL asks for one, else the explorer. */
export function App() {
  const route = useRoute();
  return route ? <LessonApp route={route} /> : <Explorer />;
}

function Explorer() {
  useShortcuts();
  const hideSetting = useApp((s) => s.settings.hide);
  const [showAll, setShowAll] = useState(false);
  // Narrow screens (phones): the plots come first and the controls open as a sheet (see styles.css).
  const [drawer, setDrawer] = useState(false);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  // Focus follows the sheet: into it when it opens, back to its toggle when it closes.
  const openDrawer = (open: boolean) => {
    setDrawer(open);
    requestAnimationFrame(() => (open ? closeRef : toggleRef).current?.focus());
  };
  const hide = new Set<ControlId>(showAll ? [] : hideSetting);
  const show = (c: ControlId) => !hide.has(c);
  const label = useApp((s) => s.run.info?.label);
  const pid = useApp((s) => s.settings.problem);
  const err = useApp((s) => s.run.error);
  const custom = getProblemSpec(pid)?.kind === 'custom';

  return (
    <div className="app">
      <header className="top">
        <div className="brand">
          <h1>Rod Flow Explorer</h1>
          <span className="subtitle">gradient descent at the edge of stability — GD, gradient flow, Central Flow, Rod Flow on one clock</span>
        </div>
        <div className="top-right">
          <LessonLinks />
          <LinksPanel />
        </div>
      </header>
      <Notices />
      <div className="main">
        {/* First in the tab order: the transport (then the controls, then the plots); laid out above the plots. */}
        <div className="stage-head">
          <div className="run-label">{label ?? '…'}</div>
          {show('transport') && <Transport showBudget={show('steps')} />}
          <button ref={toggleRef} type="button" className="small controls-toggle" aria-expanded={drawer} aria-controls="controls" onClick={() => openDrawer(!drawer)}>
            ⚙ Controls
          </button>
        </div>
        <aside
          id="controls"
          className={`controls${drawer ? ' open' : ''}`}
          aria-label="Controls"
          onKeyDown={(e) => {
            if (e.key === 'Escape' && drawer) openDrawer(false);
          }}
        >
          <div className="drawer-head">
            <span>Controls</span>
            <button ref={closeRef} type="button" className="small" onClick={() => openDrawer(false)}>
              Close
            </button>
          </div>
          {(show('problem') || show('params')) && (
            <Section title="Problem" id="problem">
              {show('problem') && <ProblemSelect />}
              {show('params') && <ProblemParams />}
              {err?.input && !custom && (
                <div className="inline-error" role="alert">
                  {err.message}
                </div>
              )}
            </Section>
          )}
          {show('eta') && (
            <Section title="Step size" id="eta">
              <EtaControl />
            </Section>
          )}
          {show('start') && (
            <Section title="Start point" id="start">
              <StartControl />
            </Section>
          )}
          {show('flows') && (
            <Section title="Flows" id="flows">
              {/* Solver settings stay out of classroom links (unless "Show all controls"). */}
              <FlowToggles showOptions={show('options') && hide.size === 0} />
            </Section>
          )}
          {show('axes') && (
            <Section title="View" id="view">
              <ViewControls />
            </Section>
          )}
          {show('runs') && (
            <Section title="Runs" id="runs">
              <RunsPanel />
            </Section>
          )}
          {show('export') && (
            <Section title="Export / import" id="export">
              <ExportPanel />
            </Section>
          )}
          {hideSetting.length > 0 && (
            <button type="button" className="small linkish" onClick={() => setShowAll(!showAll)}>
              {showAll ? 'Classroom view' : 'Show all controls'}
            </button>
          )}
          <p className="help keys">Keys: Space play/pause · → step · R reset. Every control is reachable with Tab.</p>
        </aside>
        <main className="stage">
          <DivergenceBanner />
          <RunError />
          <PlotsPanel startDraggable={show('start')} />
          <EnsemblePanel />
          <footer className="foot">
            <BackendBadge />
          </footer>
        </main>
      </div>
      <Toast />
    </div>
  );
}
