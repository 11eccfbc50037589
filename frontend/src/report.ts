// Pure helpers for reporting a published comment; the form itself is in
// widget.ts. No DOM here, so they are unit tested in node.

import { ApiError } from "./api";
import { fmt, type Messages } from "./i18n";
import type { Reason } from "./messages";
import type { Comment } from "./thread";

/** The policy reasons a reader can pick, in the order the form lists them. */
export const REASONS: Reason[] = ["hate_speech", "obscenity", "personal_attack", "spam", "off_topic", "other"];

/** The server's limit on a report's note, in characters (service.MaxNoteChars). */
export const MAX_NOTE = 2000;

/**
 * Whether the viewer may report c: only published comments, and never the
 * viewer's own (own from the server, or mine: posted from this browser).
 */
export function canReport(c: Comment, mine: boolean): boolean {
  return (!c.status || c.status === "approved") && !c.own && !mine;
}

/** A reason as an option label: the catalog's text, the same words the dashboard uses ("Off topic"). */
export function reasonOption(t: Messages, r: Reason): string {
  return t.reasons[r];
}

/** What the reader is told after a report request. */
export interface ReportOutcome {
  text: string;
  /** The report is settled (sent now or before): the form gives way to the message. */
  done: boolean;
  error: boolean;
}

/** The outcome of a report request: err is null on success, else what the request threw. */
export function reportOutcome(t: Messages, err: unknown): ReportOutcome {
  if (err === null) return { text: t.reportThanks, done: true, error: false };
  if (err instanceof ApiError && err.status !== 0) {
    if (err.status === 409) return { text: t.reportAlready, done: true, error: false };
    if (err.status === 429 || err.code === "rate_limited") return { text: t.rateLimited, done: false, error: true };
    return { text: fmt(t.reportError, err.message), done: false, error: true };
  }
  return { text: t.reportNetwork, done: false, error: true };
}
