/** Entry of the page: start the controller (worker, URL, clock), then mount the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { initController } from './state/controller.ts';
import { App } from './ui/App.tsx';
import './ui/styles.css';

initController();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
