// The one studio worker of the page, created on first use. The store is the only layer that
// talks to it (STYLE.md: ui → store → workers); tests may swap in another client.
import { createStudioClient, type StudioClient } from '../workers/studio-client';

let current: StudioClient | null = null;

export function studioClient(): StudioClient {
  if (!current) current = createStudioClient().client;
  return current;
}

/** Replaces the worker client (unit tests of the store). */
export function setStudioClient(client: StudioClient | null): void {
  current = client;
}
