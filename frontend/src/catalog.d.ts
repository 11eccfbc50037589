// The message catalog, compiled in by build.mjs from ../i18n/locales: for
// each language, the widget's keys ("widget.*", "reason.*", "lang.*").

declare module "parley:catalog" {
  /** A plural message: CLDR forms ("one", "few", "=0", …) of the arg-th argument, or named parts placed by msg. */
  export interface PluralEntry {
    arg?: number;
    msg?: string;
    vars?: Record<string, PluralEntry>;
    [form: string]: string | number | Record<string, PluralEntry> | undefined;
  }
  export type Entry = string | PluralEntry;
  const catalog: Record<string, Record<string, Entry>>;
  export default catalog;
}
