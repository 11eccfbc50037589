// localStorage access, namespaced per comments host and site. Storage can be
// unavailable (privacy modes, sandboxed iframes); every call degrades to an
// in-memory value instead of throwing.

/** Auth is a signed-in user's token and identity, handed back by the login popup. */
export interface Auth {
  token: string;
  user: { name: string; role: string };
  /** Set when the session came from the newsroom's SSO: its user ID (sub). */
  ssoSub?: string;
}

/** Mine records a comment this browser posted, so its author can edit it. */
export interface Mine {
  id: string;
  body: string;
  at: number;
}

const MAX_MINE = 100;

/** Store is the widget's persistent state for one host and site. */
export class Store {
  private mem = new Map<string, string>();
  constructor(
    private prefix: string,
    private ls: Pick<Storage, "getItem" | "setItem" | "removeItem"> | null,
  ) {}

  /** The key prefix for a comments host origin and site id. */
  static prefixFor(hostOrigin: string, site: string): string {
    return `parley:v1:${hostOrigin}:${site}:`;
  }

  private get(k: string): string | null {
    try {
      if (this.ls) return this.ls.getItem(this.prefix + k);
    } catch {
      /* fall through */
    }
    return this.mem.get(k) ?? null;
  }

  private set(k: string, v: string | null): void {
    if (v === null) this.mem.delete(k);
    else this.mem.set(k, v);
    try {
      if (!this.ls) return;
      if (v === null) this.ls.removeItem(this.prefix + k);
      else this.ls.setItem(this.prefix + k, v);
    } catch {
      /* quota or disabled storage: keep the in-memory copy */
    }
  }

  private json<T>(k: string): T | null {
    const v = this.get(k);
    if (!v) return null;
    try {
      return JSON.parse(v) as T;
    } catch {
      return null;
    }
  }

  get guestToken(): string {
    return this.get("guest") || "";
  }
  set guestToken(v: string) {
    this.set("guest", v || null);
  }

  get auth(): Auth | null {
    const a = this.json<Auth>("auth");
    return a && typeof a.token === "string" && a.token ? a : null;
  }
  set auth(a: Auth | null) {
    this.set("auth", a ? JSON.stringify(a) : null);
  }

  /** The ID (jti) of the last SSO token exchanged: tokens are single-use. */
  get ssoSpent(): string {
    return this.get("sso-jti") || "";
  }
  set ssoSpent(v: string) {
    this.set("sso-jti", v || null);
  }

  get name(): string {
    return this.get("name") || "";
  }
  set name(v: string) {
    this.set("name", v || null);
  }

  /** The guest's email, remembered on this device like the name (never sent anywhere but the comments host). */
  get email(): string {
    return this.get("email") || "";
  }
  set email(v: string) {
    this.set("email", v || null);
  }

  /** The reader's chosen widget language on this device, "" for the default. */
  get locale(): string {
    return this.get("locale") || "";
  }
  set locale(v: string) {
    this.set("locale", v || null);
  }

  mine(): Mine[] {
    const m = this.json<Mine[]>("mine");
    return Array.isArray(m) ? m.filter((x) => x && typeof x.id === "string") : [];
  }

  /** Remember (or update) a comment this browser posted. Keeps the newest 100. */
  remember(id: string, body: string, at: number): void {
    const list = this.mine().filter((m) => m.id !== id);
    list.push({ id, body, at });
    this.set("mine", JSON.stringify(list.slice(-MAX_MINE)));
  }

  findMine(id: string): Mine | undefined {
    return this.mine().find((m) => m.id === id);
  }
}
