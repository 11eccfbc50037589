// The HTTP client for Parley's v1 API. It authenticates with headers only
// (guest token or bearer) and sends no cookies, so it works where third-party
// cookies are blocked.

import type { Comment } from "./thread";

export interface SiteInfo {
  id: string;
  name: string;
  policy_text: string;
  /** Per-locale policy texts, when the site configured several. */
  policy_texts?: Record<string, string>;
  locale: string;
  guests_allowed: boolean;
  edit_window_seconds: number;
}

export interface ThreadPage {
  comments: Comment[];
  next_cursor: string;
  count: number;
  /** locale is the story's own widget language, "" for the site's. */
  story: { id: string; title: string; closed: boolean; locale?: string } | null;
  site: SiteInfo;
  viewer: { name: string; role: string } | null;
}

/** ApiError is a failed request: status 0 means the network failed. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public fields: Record<string, unknown> = {},
    public retryAfter = 0,
  ) {
    super(message);
  }
}

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

/** Credentials supplies the auth headers at request time. */
export interface Credentials {
  guestToken(): string;
  bearer(): string;
}

export class Api {
  /**
   * The reader's language (the widget's), sent as Accept-Language so that
   * the server's error messages come back in it; "" leaves the browser's.
   */
  lang = "";

  constructor(
    private base: string,
    private creds: Credentials,
    private fetchFn: FetchFn = (i, o) => fetch(i, o),
  ) {}

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const h: Record<string, string> = { Accept: "application/json", ...headers };
    if (this.lang) h["Accept-Language"] = this.lang;
    if (body !== undefined) h["Content-Type"] = "application/json";
    const g = this.creds.guestToken();
    if (g) h["X-Parley-Guest-Token"] = g;
    const b = this.creds.bearer();
    if (b) h["Authorization"] = "Bearer " + b;
    let res: Response;
    try {
      res = await this.fetchFn(this.base + path, {
        method,
        headers: h,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        mode: "cors",
        cache: "no-store",
      });
    } catch (e) {
      throw new ApiError(0, "network", String((e as Error)?.message || e));
    }
    let data: any = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    if (!res.ok) {
      const err = (data && data.error) || {};
      const { code, message, ...fields } = err;
      const ra = parseInt(res.headers.get("Retry-After") || "", 10);
      throw new ApiError(res.status, String(code || "http_" + res.status), String(message || res.statusText), fields, Number.isNaN(ra) ? 0 : ra);
    }
    return data as T;
  }

  thread(site: string, storyUrl: string, sort: string, cursor: string, locale = ""): Promise<ThreadPage> {
    const q = new URLSearchParams({ site, story_url: storyUrl, sort });
    if (locale) q.set("locale", locale);
    if (cursor) q.set("cursor", cursor);
    return this.request<ThreadPage>("GET", "/api/v1/comments?" + q.toString());
  }

  post(body: Record<string, unknown>, idempotencyKey: string): Promise<{ comment: Comment; guest_token?: string }> {
    return this.request("POST", "/api/v1/comments", body, { "Idempotency-Key": idempotencyKey });
  }

  edit(id: string, body: string): Promise<{ comment: Comment }> {
    return this.request("PATCH", "/api/v1/comments/" + encodeURIComponent(id), { body });
  }

  /** Report a published comment to the site's moderators (201 {ok: true}; 409 when already reported). */
  report(id: string, reason: string, note = ""): Promise<{ ok: boolean }> {
    const body: Record<string, string> = { reason };
    if (note) body.note = note;
    return this.request("POST", "/api/v1/comments/" + encodeURIComponent(id) + "/report", body);
  }

  preview(site: string, body: string): Promise<{ html: string }> {
    return this.request("POST", "/api/v1/preview", { site, body });
  }

  /** Exchange a newsroom's signed SSO token for a Parley session token. */
  sso(site: string, token: string): Promise<{ token: string; user: { id: string; name: string }; role: string }> {
    return this.request("POST", "/api/v1/auth/sso", { site, token });
  }

  logout(): Promise<unknown> {
    return this.request("POST", "/api/v1/auth/logout", {});
  }
}

/** A random UUID v4, also outside secure contexts where crypto.randomUUID is missing. */
export function uuid(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
