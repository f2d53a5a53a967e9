// Whether the page works offline (the built studio's service worker, vite.config.ts): the header
// says so once everything is cached, and offers a reload when a newer version has been cached —
// never reloading by itself, which would drop a run in progress. src/offline-registration.ts
// registers the worker and reports here; the dev server has none ('unavailable').
import type { StateCreator } from 'zustand';
import type { StudioState } from './studio-state';

export type OfflineState =
  | { state: 'unavailable'; reason: string }
  | { state: 'caching' }
  | { state: 'ready' }
  | { state: 'failed'; reason: string };

export interface OfflineSlice {
  offline: OfflineState;
  /** A newer version is cached and waits for `applyUpdate`. */
  updateReady: boolean;
  setOffline(offline: OfflineState): void;
  /** Called by the registration: a newer version is cached; `apply` activates it and reloads. */
  offerUpdate(apply: () => Promise<void>): void;
  applyUpdate(): Promise<void>;
}

export const createOfflineSlice: StateCreator<StudioState, [], [], OfflineSlice> = (set) => {
  let apply: (() => Promise<void>) | undefined;
  return {
    offline: { state: 'unavailable', reason: 'the development server has no service worker: build the studio (npm run build) for offline use' },
    updateReady: false,
    setOffline: (offline) => set({ offline }),
    offerUpdate(a) {
      apply = a;
      set({ updateReady: true });
    },
    async applyUpdate() {
      await apply?.();
    },
  };
};
