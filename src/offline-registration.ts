// Registers the built studio's service worker (vite-plugin-pwa, vite.config.ts) and reports to
// the store whether the page works offline yet. Registered by hand rather than by the plugin's
// injected script so an update only reloads when the person clicks (store/offline-slice.ts).
import { registerSW } from 'virtual:pwa-register';
import { useStudioStore } from './store/studio-store';

export function registerOffline(): void {
  const store = useStudioStore.getState();
  if (!import.meta.env.PROD) return; // the dev server has no service worker: the slice says so
  if (!('serviceWorker' in navigator)) {
    store.setOffline({ state: 'unavailable', reason: 'this browser has no service workers, so the studio needs its server each time' });
    return;
  }
  store.setOffline({ state: 'caching' });
  const update = registerSW({
    immediate: true,
    onOfflineReady: () => store.setOffline({ state: 'ready' }),
    onNeedRefresh: () => store.offerUpdate(() => update(true)),
    onRegisteredSW(_url, registration) {
      // A worker already active from an earlier visit: everything is cached (onOfflineReady fires only on first install).
      if (registration?.active && !registration.installing) store.setOffline({ state: 'ready' });
    },
    onRegisterError: (e: unknown) => store.setOffline({ state: 'failed', reason: e instanceof Error ? e.message : String(e) }),
  });
}
