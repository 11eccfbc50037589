// Locale registry and selection. The text is Parley's one message catalog
// (../../i18n/locales), compiled into the bundle by build.mjs; this module
// turns each language's "widget.*", "reason.*" and "lang.*" keys into a
// Messages and formats them as the server does: Go fmt verbs (%s, %d,
// %[2]s) and CLDR plural forms.

import CATALOG, { type Entry, type PluralEntry } from "parley:catalog";
import { dottedDate, type Messages } from "./messages";

export type { Messages } from "./messages";

/** The locale used when nothing else matches. */
export const FALLBACK = "en";

/** Browsers ship less locale data for hy and az (Chromium prints "2026 M11 27"), so those format dates themselves. */
const DATES: Record<string, Messages["date"]> = { hy: dottedDate, az: dottedDate };

/** Text direction of right-to-left languages (none bundled yet). */
const RTL = new Set(["ar", "he", "fa", "ur"]);

/**
 * Format a message as Go's fmt does for the verbs the catalog uses: %s and
 * %d take the next argument, %[n]s the n-th (1-based), %% is a percent sign.
 * Numbers are written with the locale's digits and grouping.
 */
export function sprintf(lang: string, s: string, ...args: Array<string | number>): string {
  let next = 0;
  return s.replace(/%(?:\[(\d+)\])?([sdv%])/g, (m, pos: string | undefined, verb: string) => {
    if (verb === "%") return "%";
    const i = pos ? Number(pos) - 1 : next;
    next = i + 1;
    if (i >= args.length) return m;
    const a = args[i];
    return typeof a === "number" ? new Intl.NumberFormat(lang, { useGrouping: true }).format(a) : a;
  });
}

/** fmt fills a message's verbs with args in the fallback-neutral way (strings only). */
export function fmt(s: string, ...args: string[]): string {
  return sprintf(FALLBACK, s, ...args);
}

const rules: Record<string, Intl.PluralRules> = {};

/** The form of p for n: an exact "=n" case, else the CLDR category, else "other". */
function pickForm(lang: string, p: PluralEntry, n: number): string {
  const exact = p["=" + n];
  if (typeof exact === "string") return exact;
  const r = (rules[lang] ||= new Intl.PluralRules(lang));
  const f = p[r.select(n)];
  return typeof f === "string" ? f : (p.other as string);
}

/** Format a catalog entry: a plain message, plural forms, or named plural parts. */
export function format(lang: string, e: Entry, ...args: Array<string | number>): string {
  if (typeof e === "string") return sprintf(lang, e, ...args);
  if (e.vars) {
    const vars = e.vars;
    const msg = (e.msg || "").replace(/\$\{(\w+)\}/g, (m, name: string) => (vars[name] ? format(lang, vars[name], ...args) : m));
    return sprintf(lang, msg, ...args);
  }
  return sprintf(lang, pickForm(lang, e, Number(args[(e.arg || 1) - 1])), ...args);
}

/** Build one language's Messages from the catalog. */
function messages(lang: string): Messages {
  const c = CATALOG[lang];
  const m: Record<string, unknown> = {
    lang,
    dir: RTL.has(lang) ? "rtl" : "ltr",
    date: DATES[lang] || { dateStyle: "medium", timeStyle: "short" },
    reasons: {},
    names: {},
  };
  for (const [k, v] of Object.entries(c)) {
    const [area, name] = [k.slice(0, k.indexOf(".")), k.slice(k.indexOf(".") + 1)];
    if (area === "reason") (m.reasons as Record<string, string>)[name] = v as string;
    else if (area === "lang") (m.names as Record<string, string>)[name] = v as string;
    else if (area === "widget") m[name] = typeof v === "string" ? v : (...a: Array<string | number>) => format(lang, v, ...a);
  }
  return m as unknown as Messages;
}

/** Every bundled locale, keyed by its BCP 47 primary language subtag, in menu order. */
export const LOCALES: Record<string, Messages> = Object.fromEntries(Object.keys(CATALOG).map((l) => [l, messages(l)]));

/** The bundled languages in menu order, each with its name in itself ("Հայերեն"), as a language menu lists them. */
export function languages(): Array<{ code: string; name: string }> {
  return Object.keys(LOCALES).map((code) => {
    const n = LOCALES[code].names[code];
    return { code, name: n.charAt(0).toLocaleUpperCase(code) + n.slice(1) };
  });
}

/**
 * Normalize a language tag to a bundled locale key, or "" when none matches.
 * "ru-RU" → "ru", "AZ-latn-AZ" → "az", "fr" → "".
 */
export function matchLocale(tag: string | null | undefined): string {
  if (!tag) return "";
  const t = tag.trim().toLowerCase().replace(/_/g, "-");
  if (LOCALES[t]) return t;
  const primary = t.split("-")[0];
  return LOCALES[primary] ? primary : "";
}

/**
 * Pick the widget's locale: the embed's data-locale wins, then the site's
 * configured locale, then the page's <html lang>, then English.
 */
export function pickLocale(dataLocale?: string | null, siteLocale?: string | null, pageLang?: string | null): string {
  return matchLocale(dataLocale) || matchLocale(siteLocale) || matchLocale(pageLang) || FALLBACK;
}
