// Entry of the studio page: mounts the React app (src/ui/app.tsx) with the global styles.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/app';
import { registerOffline } from './offline-registration';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/sweep.css';
import './styles/recipe.css';

registerOffline();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
