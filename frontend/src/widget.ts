// The comment widget: one instance per container element, rendered in a
// Shadow DOM so the article's CSS and the widget's CSS never meet.

import { Api, ApiError, type ThreadPage } from "./api";
import { h, safeFragment } from "./dom";
import { Draft, errorText } from "./draft";
import { LOCALES, fmt, languages, matchLocale, pickLocale, type Messages } from "./i18n";
import { MAX_NOTE, REASONS, canReport, reasonOption, reportOutcome } from "./report";
import { Store } from "./storage";
import { buildTree, canEdit, idFromHash, merge, type Comment, type Node, type Sort } from "./thread";
import { css } from "./theme";

/** Config is one embed's configuration, read from the container's data-* attributes. */
export interface Config {
  /** Comments host base URL without a trailing slash, e.g. "https://comments.example". */
  base: string;
  site: string;
  storyUrl: string;
  storyTitle: string;
  /** data-locale; "" to use the site's locale or the page's lang. */
  locale: string;
  sort: Sort;
  /** data-sso-token: a newsroom-signed JWT for the reader signed in there. */
  ssoToken?: string;
  /** data-sso-callback: a global function returning such a token (or a promise of one, or "" when signed out). */
  ssoCallback?: string;
  /** data-sso-login-url: the newsroom's sign-in page; "Log in" goes there instead of the popup. */
  ssoLoginUrl?: string;
}

/** The claims the widget reads from an SSO token (unverified: only to avoid re-exchanging it). */
export function ssoClaims(token: string): { sub: string; jti: string } | null {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
    const c = JSON.parse(json);
    return typeof c.sub === "string" && typeof c.jti === "string" ? { sub: c.sub, jti: c.jti } : null;
  } catch {
    return null;
  }
}

let sheet: CSSStyleSheet | null = null;

// Styles go in through a constructable stylesheet (adoptedStyleSheets), which
// CSP does not treat as inline style, so a page with style-src 'self' works.
function applyStyles(root: ShadowRoot): void {
  try {
    if (!sheet) {
      const s = new CSSStyleSheet();
      s.replaceSync(css());
      sheet = s;
    }
    root.adoptedStyleSheets = [sheet];
    return;
  } catch {
    // Old browsers without constructable stylesheets: a <style> element,
    // which needs style-src 'unsafe-inline' under a CSP.
  }
  root.append(h("style", { text: css() }));
}

function localStore(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * The policy text: the site's for this locale, else the site's default,
 * else Parley's, which fits the thread: "Start the conversation" only when
 * nothing is published yet (and the story is open), "Authors, please log
 * in" only to a reader who is not logged in.
 */
export function policyText(p: ThreadPage, t: Messages): string {
  const s = p.site;
  const site = ((s?.policy_texts && s.policy_texts[t.lang]) || s?.policy_text || "").trim();
  if (site) return site;
  const parts: string[] = [];
  if (!(p.count > 0) && !p.story?.closed) parts.push(t.policyStart);
  if (!p.viewer) parts.push(t.policyLogin);
  parts.push(t.policy);
  return parts.join(" ");
}

/** The header's count: published comments, and the reader's own ones awaiting moderation (never "0 comments" beside them). */
export function countText(t: Messages, published: number, ownPending: number): string {
  if (ownPending > 0) return published > 0 ? `${t.count(published)} · ${t.ownPending(ownPending)}` : t.ownPending(ownPending);
  return t.count(published);
}

/**
 * The widget's language: the reader's choice on this device, then the
 * embed's data-locale, then the story's, then the site's, then the page's
 * <html lang>, then English.
 */
export function widgetLocale(chosen: string, dataLocale: string, storyLocale?: string | null, siteLocale?: string | null, pageLang?: string | null): string {
  return matchLocale(chosen) || pickLocale(dataLocale || storyLocale, siteLocale, pageLang);
}

let seq = 0;
const uid = (p: string) => `${p}${++seq}`;

type FormKind = "new" | "reply" | "edit";

/** One comment form (new comment, reply or edit) with its own draft state. */
class Form {
  el: HTMLFormElement;
  draft = new Draft();
  ta: HTMLTextAreaElement;
  nameIn: HTMLInputElement | null = null;
  emailIn: HTMLInputElement | null = null;
  hp: HTMLInputElement;
  btn: HTMLButtonElement;
  status: HTMLElement;
  pv: HTMLElement;
  tabW: HTMLButtonElement;
  tabP: HTMLButtonElement;

  constructor(
    private w: Widget,
    private kind: FormKind,
    private target: Comment | null,
  ) {
    const t = w.t;
    const hid = uid("h");
    const taId = uid("t");
    const hintId = uid("d");
    const hpId = uid("x");
    const guest = !w.page?.viewer && kind !== "edit";
    const heading =
      kind === "new" ? t.formHeading : kind === "reply" ? fmt(t.replyHeading, target!.author.name) : t.editHeading;
    this.ta = h("textarea", {
      id: taId,
      name: "body",
      rows: 5,
      required: true,
      "aria-describedby": hintId,
      oninput: () => this.draft.touch(Date.now()),
      onkeydown: (e: KeyboardEvent) => {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          this.el.requestSubmit();
        }
      },
    });
    if (kind === "edit") this.ta.value = w.sourceOf(target!);
    this.pv = h("div", { class: "preview body", hidden: true, "aria-live": "polite" });
    this.tabW = h("button", { type: "button", class: "link", "aria-pressed": "true", text: t.write, onclick: () => this.showWrite() });
    this.tabP = h("button", { type: "button", class: "link", "aria-pressed": "false", text: t.preview, onclick: () => this.showPreview() });
    this.hp = h("input", { id: hpId, name: "website", type: "text", tabindex: "-1", autocomplete: "off", value: "" });
    this.btn = h("button", { type: "submit", class: "btn", text: kind === "edit" ? t.save : t.send });
    this.status = h("div", { class: "status", role: "status", "aria-live": "polite", tabindex: "-1" });
    let guestRow: HTMLElement | null = null;
    if (guest) {
      const nId = uid("n");
      const eId = uid("e");
      this.nameIn = h("input", { id: nId, name: "name", type: "text", autocomplete: "name", required: true, maxlength: "100", value: w.store.name });
      this.emailIn = h("input", { id: eId, name: "email", type: "email", autocomplete: "email", required: true, maxlength: "254", value: w.store.email });
      guestRow = h(
        "div",
        { class: "row" },
        h("div", null, h("label", { for: nId, text: t.nameLabel }), this.nameIn),
        h("div", null, h("label", { for: eId, text: t.emailLabel }), this.emailIn),
      );
    }
    this.el = h(
      "form",
      { class: "cform", novalidate: true, "aria-labelledby": hid, onsubmit: (e: Event) => this.submit(e) },
      h("h3", { id: hid, text: heading }),
      guestRow,
      h("div", { class: "hp", "aria-hidden": "true" }, h("label", { for: hpId, text: t.honeypotLabel }), this.hp),
      h("div", { class: "tabs" }, h("label", { for: taId, text: t.bodyLabel }), h("span", { class: "grow" }), this.tabW, this.tabP),
      this.ta,
      this.pv,
      h("p", { class: "hint", id: hintId, text: t.bodyHint }),
      h(
        "div",
        { class: "actions" },
        this.btn,
        kind !== "new" && h("button", { type: "button", class: "link", text: t.cancel, onclick: () => w.closeForm(this.key()) }),
      ),
      this.status,
    );
  }

  key(): string {
    return this.kind === "new" ? "" : (this.kind === "reply" ? "r:" : "e:") + this.target!.id;
  }

  say(msg: string, error = false): void {
    this.status.textContent = msg;
    this.status.classList.toggle("error", error);
    this.status.focus();
  }

  showWrite(): void {
    this.tabW.setAttribute("aria-pressed", "true");
    this.tabP.setAttribute("aria-pressed", "false");
    this.pv.hidden = true;
    this.ta.hidden = false;
    this.ta.focus();
  }

  async showPreview(): Promise<void> {
    const t = this.w.t;
    this.tabW.setAttribute("aria-pressed", "false");
    this.tabP.setAttribute("aria-pressed", "true");
    this.ta.hidden = true;
    this.pv.hidden = false;
    const body = this.ta.value.trim();
    if (!body) {
      this.pv.textContent = t.previewEmpty;
      return;
    }
    this.pv.textContent = "…";
    try {
      const r = await this.w.api.preview(this.w.cfg.site, body);
      this.pv.replaceChildren(safeFragment(r.html));
    } catch {
      this.pv.textContent = body;
    }
  }

  private validate(body: string): string {
    const t = this.w.t;
    if (!body) return t.emptyBody;
    if (this.nameIn && !this.nameIn.value.trim()) return t.nameRequired;
    if (this.emailIn && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(this.emailIn.value.trim())) return t.emailRequired;
    if (this.kind === "edit" && !this.w.editable(this.target!)) return t.editWindowOver;
    return "";
  }

  async submit(e: Event): Promise<void> {
    e.preventDefault();
    if (!this.draft.begin()) return; // a send is in flight: ignore double clicks
    const t = this.w.t;
    const body = this.ta.value.trim();
    const invalid = this.validate(body);
    if (invalid) {
      this.draft.finish(false);
      this.say(invalid, true);
      return;
    }
    this.btn.disabled = true;
    this.btn.textContent = t.sending;
    this.el.setAttribute("aria-busy", "true");
    let focusComment = "";
    try {
      if (this.kind === "edit") {
        const r = await this.w.api.edit(this.target!.id, body);
        this.draft.finish(true);
        this.w.onSaved(r.comment, body);
        focusComment = r.comment.id;
      } else {
        const cfg = this.w.cfg;
        const payload: Record<string, unknown> = {
          site: cfg.site,
          story_url: cfg.storyUrl,
          story_title: cfg.storyTitle,
          body,
          hp: this.hp.value,
          compose_ms: this.draft.composeMs(Date.now()),
        };
        if (this.target) payload.parent_id = this.target.id;
        if (this.nameIn && this.emailIn) {
          payload.author_name = this.nameIn.value.trim();
          payload.author_email = this.emailIn.value.trim();
          this.w.store.name = payload.author_name as string;
          this.w.store.email = payload.author_email as string;
        }
        const r = await this.w.api.post(payload, this.draft.key);
        this.draft.finish(true);
        if (r.guest_token) this.w.store.guestToken = r.guest_token;
        this.ta.value = "";
        this.showWriteQuiet();
        this.w.onPosted(r.comment, body);
        if (this.kind === "reply") focusComment = r.comment.id;
        else this.say(r.comment.status === "approved" ? t.published : t.sent);
      }
    } catch (err) {
      this.draft.finish(false);
      this.say(errorText(t, err), !(err instanceof ApiError && err.code === "duplicate"));
    } finally {
      this.btn.disabled = false;
      this.btn.textContent = this.kind === "edit" ? t.save : t.send;
      this.el.removeAttribute("aria-busy");
    }
    if (focusComment) this.w.closeForm(this.key(), focusComment);
  }

  private showWriteQuiet(): void {
    this.tabW.setAttribute("aria-pressed", "true");
    this.tabP.setAttribute("aria-pressed", "false");
    this.pv.hidden = true;
    this.ta.hidden = false;
  }
}

/**
 * The inline report form under one published comment. After the server
 * settles the report (201, or 409 for a second report) the form gives way
 * to the message; other failures keep the form for another try.
 */
class ReportBox {
  el: HTMLElement;
  sel: HTMLSelectElement;
  done = false;
  private form: HTMLFormElement;
  private note: HTMLTextAreaElement;
  private btn: HTMLButtonElement;
  private status: HTMLElement;
  private busy = false;

  constructor(
    private w: Widget,
    private c: Comment,
  ) {
    const t = w.t;
    const hid = uid("h");
    const sid = uid("r");
    const nid = uid("m");
    const close = () => w.closeReport(c.id);
    this.sel = h(
      "select",
      { id: sid, name: "reason", required: true },
      h("option", { value: "", text: t.reportPick }),
      ...REASONS.map((r) => h("option", { value: r, text: reasonOption(t, r) })),
    );
    this.note = h("textarea", { id: nid, name: "note", rows: 2, maxlength: String(MAX_NOTE) });
    this.btn = h("button", { type: "submit", class: "btn", text: t.send });
    this.status = h("div", { class: "status", role: "status", "aria-live": "polite", tabindex: "-1" });
    this.form = h(
      "form",
      {
        novalidate: true,
        "aria-labelledby": hid,
        onsubmit: (e: Event) => void this.submit(e),
        onkeydown: (e: KeyboardEvent) => {
          if (e.key === "Escape" && !this.busy) {
            e.preventDefault();
            close();
          }
        },
      },
      h("h3", { id: hid, text: t.reportHeading }),
      h("label", { for: sid, text: t.reportReason }),
      this.sel,
      h("label", { for: nid, text: t.reportNote }),
      this.note,
      h("div", { class: "actions" }, this.btn, h("button", { type: "button", class: "link", text: t.cancel, onclick: close })),
    );
    this.el = h("div", { class: "report" }, this.form, this.status);
  }

  private say(msg: string, error: boolean): void {
    this.status.textContent = msg;
    this.status.classList.toggle("error", error);
    this.status.focus();
  }

  async submit(e: Event): Promise<void> {
    e.preventDefault();
    if (this.busy) return; // a send is in flight: ignore double clicks
    const t = this.w.t;
    if (!this.sel.value) {
      this.say(t.reportNeedReason, true);
      return;
    }
    this.busy = true;
    this.btn.disabled = true;
    this.btn.textContent = t.sending;
    this.form.setAttribute("aria-busy", "true");
    let err: unknown = null;
    try {
      await this.w.api.report(this.c.id, this.sel.value, this.note.value.trim());
    } catch (x) {
      err = x;
    }
    this.busy = false;
    this.btn.disabled = false;
    this.btn.textContent = t.send;
    this.form.removeAttribute("aria-busy");
    const r = reportOutcome(t, err);
    if (r.done) {
      this.done = true;
      this.form.remove();
      this.el.classList.add("done");
      this.el.closest("article")?.querySelector(".rbtn")?.remove();
    }
    this.say(r.text, r.error);
  }
}

/** Widget renders one thread into a container element's shadow root. */
export class Widget {
  t: Messages;
  api: Api;
  store: Store;
  page: ThreadPage | null = null;
  private root: ShadowRoot;
  private box: HTMLElement;
  private comments: Comment[] = [];
  private cursor = "";
  private sort: Sort;
  private forms = new Map<string, Form>();
  private reports = new Map<string, ReportBox>();
  private list: HTMLOListElement = h("ol", { class: "thread" });
  private empty: HTMLElement = h("p", { class: "muted" });
  private more: HTMLButtonElement = h("button", { type: "button", class: "btn more", onclick: () => this.loadMore() });
  private gstatus: HTMLElement = h("div", { class: "status", role: "status", "aria-live": "polite", tabindex: "-1" });
  private countEl: HTMLElement = h("span", { class: "count" });
  private popup: Window | null = null;
  private hostOrigin: string;
  private fmtTime: (s: string) => string = (s) => s;

  constructor(
    host: HTMLElement,
    public cfg: Config,
  ) {
    this.root = host.shadowRoot || host.attachShadow({ mode: "open" });
    applyStyles(this.root);
    this.hostOrigin = new URL(cfg.base).origin;
    this.store = new Store(Store.prefixFor(this.hostOrigin, cfg.site), localStore());
    this.api = new Api(cfg.base, {
      guestToken: () => this.store.guestToken,
      bearer: () => this.store.auth?.token || "",
    });
    this.sort = cfg.sort;
    this.t = LOCALES[widgetLocale(this.store.locale, cfg.locale, null, null, document.documentElement.lang)];
    this.box = h("div", { class: "root" });
    this.root.replaceChildren(this.box);
    this.applyLocale();
    window.addEventListener("message", (e) => this.onMessage(e));
    window.addEventListener("hashchange", () => void this.highlight(idFromHash(location.hash)));
    void this.ssoSignIn().then(() => this.reload());
  }

  /**
   * Sign in with the newsroom's SSO token, if the page gives one. A token
   * is exchanged once (the server refuses a second use); the session it
   * gives is kept while the page's token names the same user. A page that
   * gives no token while an SSO session is stored means the reader signed
   * out of the newsroom: the session is ended here too.
   */
  private async ssoSignIn(): Promise<void> {
    const { ssoToken, ssoCallback } = this.cfg;
    if (ssoToken === undefined && !ssoCallback) return;
    let token = ssoToken || "";
    if (!token && ssoCallback) {
      const fn = (window as unknown as Record<string, unknown>)[ssoCallback];
      if (typeof fn === "function") {
        try {
          token = String((await fn()) || "");
        } catch (e) {
          console.warn("parley: the SSO callback failed", e);
        }
      } else console.warn(`parley: data-sso-callback names no function: ${ssoCallback}`);
    }
    const cur = this.store.auth;
    const claims = token ? ssoClaims(token) : null;
    if (!claims) {
      if (cur?.ssoSub) await this.logout(false);
      return;
    }
    if (cur?.ssoSub === claims.sub || this.store.ssoSpent === claims.jti) return;
    this.store.ssoSpent = claims.jti;
    try {
      const r = await this.api.sso(this.cfg.site, token);
      this.store.auth = { token: r.token, user: { name: r.user.name, role: r.role || "" }, ssoSub: claims.sub };
    } catch (e) {
      // A refused token (expired, wrong key, wrong site…) leaves the reader a guest; the reason is for the developer.
      console.warn("parley: single sign-on refused:", e instanceof ApiError ? `${e.code}: ${e.message}` : e);
      if (cur?.ssoSub) this.store.auth = null;
    }
  }

  private applyLocale(): void {
    this.api.lang = this.t.lang;
    this.box.setAttribute("lang", this.t.lang);
    this.box.setAttribute("dir", this.t.dir);
    let f: (d: Date) => string = (d) => d.toISOString();
    const opt = this.t.date;
    try {
      f = typeof opt === "function" ? opt : new Intl.DateTimeFormat(this.t.lang, opt).format;
    } catch {
      // unsupported options: ISO time
    }
    this.fmtTime = (s) => {
      const d = new Date(s);
      return Number.isNaN(d.getTime()) ? s : f(d);
    };
  }

  /** Fetch the first page and render everything. */
  async reload(retried = false): Promise<void> {
    if (!this.page) this.box.replaceChildren(h("p", { class: "muted", role: "status", text: this.t.loading }));
    let p: ThreadPage;
    try {
      p = await this.api.thread(this.cfg.site, this.cfg.storyUrl, this.sort, "", this.cfg.locale);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401 && this.store.auth && !retried) {
        this.store.auth = null; // expired or revoked token: continue as a guest
        return this.reload(true);
      }
      this.box.replaceChildren(
        h("p", { class: "status error", role: "alert", text: this.t.loadError }),
        h("button", { type: "button", class: "btn", text: this.t.retry, onclick: () => void this.reload() }),
      );
      return;
    }
    if (this.store.auth && !p.viewer) this.store.auth = null;
    this.page = p;
    const t = LOCALES[widgetLocale(this.store.locale, this.cfg.locale, p.story?.locale, p.site?.locale, document.documentElement.lang)];
    if (t !== this.t) {
      this.t = t;
      this.applyLocale();
    }
    this.comments = merge([], p.comments || []);
    this.cursor = p.next_cursor || "";
    this.forms.clear();
    this.reports.clear();
    this.renderAll();
    await this.highlight(idFromHash(location.hash));
  }

  private async loadMore(): Promise<boolean> {
    if (!this.cursor) return false;
    this.more.disabled = true;
    try {
      const p = await this.api.thread(this.cfg.site, this.cfg.storyUrl, this.sort, this.cursor);
      this.comments = merge(this.comments, p.comments || []);
      this.cursor = p.next_cursor || "";
      this.renderList();
      return true;
    } catch {
      this.gstatus.textContent = this.t.loadError;
      this.gstatus.classList.add("error");
      return false;
    } finally {
      this.more.disabled = false;
    }
  }

  private closed(): boolean {
    return !!this.page?.story?.closed;
  }

  private canWrite(): boolean {
    return !this.closed() && (!!this.page?.viewer || !!this.page?.site?.guests_allowed);
  }

  private renderAll(): void {
    const t = this.t;
    const p = this.page!;
    const sortId = uid("s");
    const select = h(
      "select",
      {
        id: sortId,
        onchange: (e: Event) => {
          this.sort = (e.target as HTMLSelectElement).value === "newest" ? "newest" : "oldest";
          void this.reload();
        },
      },
      h("option", { value: "oldest", text: t.sortOldest }),
      h("option", { value: "newest", text: t.sortNewest }),
    );
    select.value = this.sort;
    const langId = uid("l");
    const langSelect = h(
      "select",
      { id: langId, class: "lang", onchange: (e: Event) => this.setLocale((e.target as HTMLSelectElement).value) },
      ...languages().map((l) => h("option", { value: l.code, lang: l.code, text: l.name })),
    );
    langSelect.value = t.lang;
    this.countEl = h("span", { class: "count", "aria-live": "polite" });
    this.updateCount();
    const head = h(
      "div",
      { class: "head" },
      h("h2", { text: t.heading }),
      this.countEl,
      h("span", { class: "grow" }),
      h("span", { class: "sort" }, h("label", { for: langId, class: "muted", text: t.languageLabel }), langSelect),
      h("span", { class: "sort" }, h("label", { for: sortId, class: "muted", text: t.sortLabel }), select),
    );
    const policy = h("p", { class: "policy", text: policyText(p, t) });
    let account: HTMLElement;
    if (p.viewer) {
      account = h(
        "div",
        { class: "account" },
        h("span", { text: fmt(t.signedInAs, p.viewer.name) }),
        h("button", { type: "button", class: "link", text: t.logout, onclick: () => void this.logout() }),
      );
    } else {
      account = h(
        "div",
        { class: "account" },
        h("button", { type: "button", class: "link", text: t.login, onclick: () => this.login() }),
        h("span", { class: "muted", text: t.loginHint }),
      );
    }
    let writer: HTMLElement;
    if (this.closed()) writer = h("p", { class: "status", text: t.closed });
    else if (!this.canWrite()) writer = h("p", { class: "status", text: t.loginRequired });
    else {
      const f = new Form(this, "new", null);
      this.forms.set("", f);
      writer = f.el;
    }
    this.gstatus.textContent = "";
    this.more.textContent = t.loadMore;
    this.empty.textContent = t.noComments;
    this.box.replaceChildren(head, policy, account, writer, this.gstatus, this.list, this.empty, this.more);
    this.renderList();
  }

  private renderList(): void {
    const tree = buildTree(this.comments, this.sort);
    this.list.replaceChildren(...tree.map((n) => this.renderNode(n)));
    this.empty.hidden = this.comments.length > 0;
    this.more.hidden = !this.cursor;
  }

  private renderNode(n: Node): HTMLLIElement {
    const t = this.t;
    const c = n.c;
    const unpub = !!c.status && c.status !== "approved";
    const meta = h(
      "div",
      { class: "meta" },
      h("span", { class: "name", text: c.author.name }),
      c.author.badge === "author" && h("span", { class: "badge", text: t.badgeAuthor }),
      c.author.badge === "staff" && h("span", { class: "badge", text: t.badgeStaff }),
      c.author.badge === "verified" && h("span", { class: "badge verified", text: t.badgeVerified }),
      h(
        "a",
        { class: "plink", href: this.permalink(c.id), "aria-label": `${t.permalink}: ${this.fmtTime(c.created_at)}` },
        h("time", { datetime: c.created_at, text: this.fmtTime(c.created_at) }),
      ),
      c.edited_at && h("span", { class: "muted", text: t.edited }),
    );
    const notices: HTMLElement[] = [];
    if (c.status === "pending") notices.push(h("p", { class: "notice", tabindex: "-1", text: t.pendingNotice }));
    if (c.status === "rejected" || c.status === "spam") {
      const reason = (t.reasons as Record<string, string>)[c.reason || ""] || "";
      notices.push(
        h(
          "p",
          { class: "notice rejected", tabindex: "-1" },
          t.rejectedNotice,
          reason ? " " + fmt(t.reasonLabel, reason) : "",
        ),
      );
    }
    if (c.edit_pending) notices.push(h("p", { class: "notice", tabindex: "-1", text: t.editPendingNotice }));
    const actions = h("div", { class: "cactions" });
    if (!unpub && this.canWrite()) {
      actions.append(h("button", { type: "button", class: "link", text: t.reply, onclick: () => this.openForm("reply", c) }));
    }
    if (this.editable(c)) {
      actions.append(h("button", { type: "button", class: "link", text: t.edit, onclick: () => this.openForm("edit", c) }));
    }
    const rep = this.reports.get(c.id);
    if (!rep?.done && canReport(c, !!this.store.findMine(c.id))) {
      actions.append(
        h("button", {
          type: "button",
          class: "link rbtn",
          "aria-expanded": rep ? "true" : "false",
          text: t.report,
          onclick: () => this.openReport(c),
        }),
      );
    }
    const edit = this.forms.get("e:" + c.id);
    const reply = this.forms.get("r:" + c.id);
    const article = h(
      "article",
      { id: "parley-comment-" + c.id, tabindex: "-1", "aria-label": c.author.name, class: unpub ? "unpub" : "" },
      meta,
      ...notices,
      edit ? edit.el : h("div", { class: "body" }, safeFragment(c.html || "")),
      actions,
      rep && rep.el,
      reply && reply.el,
    );
    const li = h("li", null, article);
    if (n.children.length) li.append(h("ol", { class: "replies" }, ...n.children.map((k) => this.renderNode(k))));
    return li;
  }

  private permalink(id: string): string {
    return location.href.split("#")[0] + "#parley-comment-" + id;
  }

  /** The markdown source for editing: what this browser sent, else the rendered text. */
  sourceOf(c: Comment): string {
    const m = this.store.findMine(c.id);
    if (m) return m.body;
    return safeFragment(c.html || "").textContent || "";
  }

  /** Whether the viewer may edit c now: their own comment, inside the site's edit window. */
  editable(c: Comment): boolean {
    if (this.closed() || c.status === "rejected" || c.status === "spam") return false;
    if (!c.own && !this.store.findMine(c.id)) return false;
    return canEdit(c.created_at, this.page?.site?.edit_window_seconds || 0, Date.now());
  }

  openForm(kind: "reply" | "edit", c: Comment): void {
    const key = (kind === "reply" ? "r:" : "e:") + c.id;
    let f = this.forms.get(key);
    if (!f) {
      f = new Form(this, kind, c);
      this.forms.set(key, f);
      this.renderList();
    }
    f.ta.focus();
  }

  /** Open (or return to) the report form under c and move focus into it. */
  openReport(c: Comment): void {
    let r = this.reports.get(c.id);
    if (!r) {
      r = new ReportBox(this, c);
      this.reports.set(c.id, r);
      this.renderList();
    }
    r.sel.focus();
  }

  /** Close a report form and return focus to its comment's Report button. */
  closeReport(id: string): void {
    this.reports.delete(id);
    this.renderList();
    const art = this.root.getElementById("parley-comment-" + id);
    (art?.querySelector<HTMLElement>(".rbtn") || art)?.focus();
  }

  /** Close a reply or edit form; focus the given comment's notice (or the comment). */
  closeForm(key: string, focusId = ""): void {
    this.forms.delete(key);
    this.renderList();
    const id = focusId || key.slice(2);
    const art = this.root.getElementById("parley-comment-" + id);
    if (!art) return;
    if (focusId) {
      const notice = art.querySelector<HTMLElement>(".notice");
      if (notice) {
        notice.setAttribute("role", "status");
        notice.focus();
        return;
      }
      this.gstatus.classList.remove("error");
      const c = this.comments.find((x) => x.id === id);
      this.gstatus.textContent = key.startsWith("e:") ? this.t.saved : c?.status === "approved" ? this.t.published : this.t.sent;
      this.gstatus.focus();
      return;
    }
    const btn = art.querySelector<HTMLElement>(".cactions button");
    (btn || art).focus();
  }

  onPosted(c: Comment, body: string): void {
    this.store.remember(c.id, body, Date.now());
    if (!c.status) c.status = "pending";
    c.own = true;
    if (c.status === "approved" && this.page) this.page.count = (this.page.count || 0) + 1;
    this.comments = merge(this.comments, [c]);
    this.renderList();
    this.updateCount();
  }

  /** Refresh the header's count from the page and the reader's own pending comments. */
  private updateCount(): void {
    const own = this.comments.filter((c) => c.status === "pending" && (c.own || this.store.findMine(c.id))).length;
    this.countEl.textContent = countText(this.t, this.page?.count || 0, own);
  }

  /** Switch the widget to the reader's chosen language and remember it on this device; an open draft survives. */
  setLocale(code: string): void {
    if (!LOCALES[code]) return;
    this.store.locale = code;
    this.t = LOCALES[code];
    this.applyLocale();
    if (!this.page) return;
    const draft = this.forms.get("")?.ta.value || "";
    this.forms.clear();
    this.reports.clear();
    this.renderAll();
    const f = this.forms.get("");
    if (f && draft) f.ta.value = draft;
    this.root.querySelector<HTMLSelectElement>("select.lang")?.focus();
  }

  onSaved(c: Comment, body: string): void {
    this.store.remember(c.id, body, Date.now());
    this.comments = merge(this.comments, [c]);
  }

  private async highlight(id: string): Promise<void> {
    if (!id) return;
    let el = this.root.getElementById("parley-comment-" + id);
    for (let i = 0; !el && this.cursor && i < 20; i++) {
      if (!(await this.loadMore())) break;
      el = this.root.getElementById("parley-comment-" + id);
    }
    if (!el) return;
    this.root.querySelectorAll("article.hl").forEach((a) => a.classList.remove("hl"));
    el.classList.add("hl");
    el.scrollIntoView({ block: "center" });
  }

  private login(): void {
    if (this.cfg.ssoLoginUrl) {
      const u = new URL(this.cfg.ssoLoginUrl, location.href);
      u.searchParams.set("return_to", location.href);
      location.assign(u.toString());
      return;
    }
    const url =
      this.cfg.base +
      "/auth/popup?site=" +
      encodeURIComponent(this.cfg.site) +
      "&origin=" +
      encodeURIComponent(location.origin) +
      "&return=" +
      encodeURIComponent(location.href.split("#")[0]) +
      "&lang=" +
      encodeURIComponent(widgetLocale(this.store.locale, this.cfg.locale, this.page?.story?.locale, this.page?.site?.locale, document.documentElement.lang));
    this.popup = window.open(url, "parley-login", "popup,width=480,height=640");
    if (!this.popup) {
      this.gstatus.textContent = this.t.popupBlocked;
      this.gstatus.classList.add("error");
      this.gstatus.focus();
    }
  }

  private onMessage(e: MessageEvent): void {
    // Accept the token only from the popup this widget opened, on the comments host.
    if (!this.popup || e.source !== this.popup || e.origin !== this.hostOrigin) return;
    const d = e.data;
    if (!d || d.type !== "parley:login" || typeof d.token !== "string" || !d.token) return;
    this.store.auth = { token: d.token, user: { name: String(d.user?.name || ""), role: String(d.user?.role || "") } };
    this.popup = null;
    void this.reload();
  }

  private async logout(reload = true): Promise<void> {
    try {
      await this.api.logout();
    } catch {
      // The token is forgotten locally either way.
    }
    this.store.auth = null;
    if (reload) await this.reload();
  }
}
