// Comlink rethrows only name/message/stack (comlink 4.4, PR #514). This transfer handler carries
// StudioError's `code` and details across the worker boundary and rebuilds the error on the
// other side, so the page can switch on `code`. Installed in both the page and the worker.
import * as Comlink from 'comlink';
import { StudioError, type StudioErrorCode, type StudioErrorDetails } from '../core/errors';

interface SerializedError {
  isStudioError: boolean;
  name: string;
  message: string;
  stack?: string;
  code?: StudioErrorCode;
  details?: StudioErrorDetails;
}

let installed = false;

export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const original = Comlink.transferHandlers.get('throw')!;
  Comlink.transferHandlers.set('throw', {
    canHandle: original.canHandle,
    serialize(thrown: unknown) {
      const value = (thrown as { value: unknown }).value;
      const e = value instanceof Error ? value : new Error(String(value));
      const out: SerializedError = {
        isStudioError: e instanceof StudioError,
        name: e.name,
        message: e.message,
        stack: e.stack,
      };
      if (e instanceof StudioError) {
        out.code = e.code;
        out.details = { ...e.details };
      }
      return [out, []];
    },
    deserialize(s: unknown): never {
      const ser = s as SerializedError;
      const e = ser.isStudioError && ser.code ? new StudioError(ser.code, ser.message, ser.details) : new Error(ser.message);
      Object.defineProperty(e, 'name', { value: ser.name });
      if (ser.stack) e.stack = ser.stack;
      throw e;
    },
  } as Comlink.TransferHandler<unknown, SerializedError>);
}
