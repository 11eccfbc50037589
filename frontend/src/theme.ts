// Theme tokens and the widget's stylesheet. Colours are exposed as CSS custom
// properties (--parley-*) that the embedding page may override on the
// container element. The unit tests check every text/background pair below
// against WCAG 2.2 AA (4.5:1 for text, 3:1 for borders of form controls).

/** Theme is one colour scheme's values for the --parley-* properties. */
export interface Theme {
  bg: string;
  surface: string;
  fg: string;
  muted: string;
  border: string;
  accent: string;
  "accent-fg": string;
  "notice-bg": string;
  "notice-fg": string;
  "error-bg": string;
  "error-fg": string;
  "badge-bg": string;
  "badge-fg": string;
  highlight: string;
  focus: string;
}

export const light: Theme = {
  bg: "#ffffff",
  surface: "#f4f5f7",
  fg: "#1b1d21",
  muted: "#555b63",
  border: "#767b82",
  accent: "#0a58ca",
  "accent-fg": "#ffffff",
  "notice-bg": "#fff4cc",
  "notice-fg": "#4a3600",
  "error-bg": "#fde8e8",
  "error-fg": "#a1161b",
  "badge-bg": "#0a58ca",
  "badge-fg": "#ffffff",
  highlight: "#fff8d6",
  focus: "#0a58ca",
};

export const dark: Theme = {
  bg: "#16181c",
  surface: "#22252b",
  fg: "#e8eaed",
  muted: "#a9afb8",
  border: "#80868f",
  accent: "#8ab4f8",
  "accent-fg": "#0b1a33",
  "notice-bg": "#3b3000",
  "notice-fg": "#ffe38a",
  "error-bg": "#3d1416",
  "error-fg": "#ffb4b0",
  "badge-bg": "#8ab4f8",
  "badge-fg": "#0b1a33",
  highlight: "#2f2a10",
  focus: "#8ab4f8",
};

/** Pairs of [foreground, background] tokens that carry text. */
export const TEXT_PAIRS: Array<[keyof Theme, keyof Theme]> = [
  ["fg", "bg"],
  ["fg", "surface"],
  ["muted", "bg"],
  ["muted", "surface"],
  ["accent", "bg"],
  ["accent", "surface"],
  ["accent-fg", "accent"],
  ["notice-fg", "notice-bg"],
  ["error-fg", "error-bg"],
  ["error-fg", "bg"],
  ["badge-fg", "badge-bg"],
  ["fg", "highlight"],
  ["accent", "highlight"],
  ["muted", "highlight"],
];

/** Pairs that must reach 3:1 (WCAG 1.4.11 non-text contrast). */
export const UI_PAIRS: Array<[keyof Theme, keyof Theme]> = [
  ["border", "bg"],
  ["border", "surface"],
  ["focus", "bg"],
  ["focus", "surface"],
];

function vars(t: Theme): string {
  return Object.entries(t)
    .map(([k, v]) => `--parley-${k}:${v};`)
    .join("");
}

function uses(t: Theme): string {
  // Each colour reads the public custom property, falling back to the theme.
  return Object.keys(t)
    .map((k) => `--p-${k}:var(--parley-${k},${(t as unknown as Record<string, string>)[k]});`)
    .join("");
}

/** The widget's stylesheet text. Logical properties only, so RTL needs no extra rules. */
export function css(): string {
  return `
:host{display:block;${uses(light)}color-scheme:light;font:var(--parley-font,inherit);font-size:var(--parley-font-size,1rem);line-height:1.5}
@media (prefers-color-scheme:dark){:host(:not([data-theme=light])){${uses(dark)}color-scheme:dark}}
:host([data-theme=dark]){${uses(dark)}color-scheme:dark}
*{box-sizing:border-box}
.root{background:var(--p-bg);color:var(--p-fg);padding-block:1rem;padding-inline:1rem;border-radius:var(--parley-radius,.5rem);text-align:start}
h2,h3{margin-block:0 .5rem;font-size:1.25em;line-height:1.3}
h3{font-size:1em}
a{color:var(--p-accent)}
button,select,input,textarea{font:inherit;color:inherit}
:focus-visible{outline:3px solid var(--p-focus);outline-offset:2px}
.head{display:flex;flex-wrap:wrap;align-items:baseline;gap:.5rem 1rem;margin-block-end:1rem}
.head h2{margin:0}
.count,.muted,.hint,time{color:var(--p-muted)}
.hint,.meta,.account,.tabs .link{font-size:.875em}
.grow{flex:1}
.policy{background:var(--p-surface);padding:.75rem;border-radius:.375rem;margin-block:0 1rem}
.account{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin-block-end:.75rem}
form{margin-block-end:1.25rem}
label{display:block;font-weight:600;margin-block:.5rem .25rem}
input,textarea,select{background:var(--p-bg);border:1px solid var(--p-border);border-radius:.375rem;padding:.5rem;inline-size:100%;max-inline-size:100%}
select{inline-size:auto;padding-block:.25rem}
textarea{min-block-size:6rem;resize:vertical}
.row{display:flex;flex-wrap:wrap;gap:0 1rem}.row>div{flex:1 1 12rem}
.hp{position:absolute;inline-size:1px;block-size:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-block-start:.75rem;align-items:center}
.btn{cursor:pointer;border-radius:.375rem;border:1px solid var(--p-accent);background:var(--p-accent);color:var(--p-accent-fg);padding-block:.4rem;padding-inline:1rem;font-weight:600}
.btn[disabled]{cursor:progress;opacity:.75}
.link{cursor:pointer;background:none;border:0;padding:0;color:var(--p-accent);text-decoration:underline;font-size:inherit}
.cactions{font-size:.875em}
.sort{display:inline-flex;gap:.5rem;align-items:baseline;white-space:nowrap}
.sort label{margin:0;font-weight:400}
.tabs{display:flex;gap:1rem;align-items:baseline;margin-block:.5rem .25rem}
.tabs label{margin:0}
.tabs [aria-pressed=true]{font-weight:700;text-decoration:none}
.preview{border:1px dashed var(--p-border);border-radius:.375rem;padding:.5rem;min-block-size:6rem}
.status:empty{display:none}
.status{margin-block-start:.75rem;padding:.5rem .75rem;border-radius:.375rem;background:var(--p-notice-bg);color:var(--p-notice-fg)}
.status.error{background:var(--p-error-bg);color:var(--p-error-fg)}
ol.thread,ol.replies{list-style:none;margin:0;padding:0}
ol.replies{margin-inline-start:1rem;padding-inline-start:1rem;border-inline-start:2px solid var(--p-surface)}
ol.replies ol.replies ol.replies ol.replies{margin-inline-start:0;padding-inline-start:0;border:0}
article{padding-block:.75rem;border-block-start:1px solid var(--p-surface)}
article.hl{background:var(--p-highlight);outline:2px solid var(--p-accent);border-radius:.375rem;padding-inline:.5rem}
article.own-pending{opacity:1}
.meta{display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:baseline}
.name{font-weight:700}
.badge{background:var(--p-badge-bg);color:var(--p-badge-fg);border-radius:1rem;padding-inline:.5rem;font-size:.75em;font-weight:700;text-transform:uppercase;letter-spacing:.03em}
.body{overflow-wrap:anywhere}
.body p{margin-block:.5rem}
.body blockquote{margin-inline:0;padding-inline-start:.75rem;border-inline-start:3px solid var(--p-border);color:var(--p-muted)}
.body pre{background:var(--p-surface);padding:.5rem;overflow:auto;border-radius:.25rem}
.body code{background:var(--p-surface);border-radius:.2rem;padding-inline:.2rem}
.notice{margin-block:.5rem;padding:.4rem .6rem;border-radius:.375rem;background:var(--p-notice-bg);color:var(--p-notice-fg);font-size:.9em}
.notice.rejected{background:var(--p-error-bg);color:var(--p-error-fg)}
.cactions{display:flex;gap:1rem}
.more{margin-block-start:1rem}
.report{margin-block:.5rem;padding:.75rem;border:1px solid var(--p-border);border-radius:.375rem}
.report.done{border:0;padding:0}
.report form{margin:0}
.report textarea{min-block-size:3rem}
[hidden]{display:none!important}
`;
}

/** The default token values as a CSS declaration list, for documentation. */
export function themeVars(): { light: string; dark: string } {
  return { light: vars(light), dark: vars(dark) };
}
