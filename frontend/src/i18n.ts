// Locale registry and selection. Each locale lives in its own module under
// ./locales; to add one, write the module and list it in LOCALES below.

import type { Messages } from "./messages";
import en from "./locales/en";
import ru from "./locales/ru";
import hy from "./locales/hy";
import az from "./locales/az";
import tr from "./locales/tr";

export type { Messages } from "./messages";

/** Every bundled locale, keyed by its BCP 47 primary language subtag. */
export const LOCALES: Record<string, Messages> = { en, ru, hy, az, tr };

/** The locale used when nothing else matches. */
export const FALLBACK = "en";

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

/** Replace {name} placeholders in s with values from vars. */
export function fmt(s: string, vars: Record<string, string | number>): string {
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}
