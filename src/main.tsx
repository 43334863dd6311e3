/** Entry of the page: start the controller (worker, URL, clock), then mount the app. */
import { StrictMode } from 'react';
import * as mathjsLib from 'mathjs';
import { provideMathjs } from './engine/problems/mathjs-lazy.ts';
import { createRoot } from 'react-dom/client';
import { initController } from './state/controller.ts';
import { App } from './ui/App.tsx';
import { drawCount, lastDrawMs } from './ui/plots/TimeSeriesPlot.tsx';
import './ui/styles.css';

// The page itself parses expressions synchronously (parameter rows, ensemble views): mathjs is part of
// its bundle. The workers load it only when a custom expression reaches them (mathjs-lazy.ts).
provideMathjs(mathjsLib);
initController();
// Read by the end-to-end tests and the browser bench.
(window as unknown as { __rodflowPlots: unknown }).__rodflowPlots = { drawCount, lastDrawMs };
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
