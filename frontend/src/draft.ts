// Per-form draft state: the idempotency key, the compose timer and the
// in-flight guard that makes double submission impossible.

import { ApiError, uuid } from "./api";
import { fmt, type Messages } from "./i18n";

export class Draft {
  /** Idempotency-Key for this draft; replaced only after a successful send. */
  key: string;
  private started = 0;
  private inFlight = false;

  constructor(private newKey: () => string = uuid) {
    this.key = newKey();
  }

  /** Note that the user typed; the first call starts the compose timer. */
  touch(now: number): void {
    if (!this.started) this.started = now;
  }

  /** Milliseconds since the user started typing this draft (0 if never). */
  composeMs(now: number): number {
    return this.started ? Math.max(0, Math.round(now - this.started)) : 0;
  }

  get sending(): boolean {
    return this.inFlight;
  }

  /** Claim the send slot; false while a send is already in flight. */
  begin(): boolean {
    if (this.inFlight) return false;
    this.inFlight = true;
    return true;
  }

  /** Release the send slot. A successful send starts a fresh draft. */
  finish(ok: boolean): void {
    this.inFlight = false;
    if (ok) {
      this.key = this.newKey();
      this.started = 0;
    }
  }
}

/** The reader-facing text for a failed send. */
export function errorText(t: Messages, e: unknown): string {
  if (!(e instanceof ApiError)) return t.network;
  if (e.code === "duplicate") return t.duplicate;
  if (e.status === 429 || e.code === "rate_limited") return t.rateLimited;
  if (e.code === "closed") return t.closed;
  if (e.code === "sanctioned") return fmt(t.sanctioned, e.message);
  if (e.status === 0) return t.network;
  return fmt(t.genericError, e.message);
}
