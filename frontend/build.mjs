// Build the widget: bundle src/main.ts with esbuild into a content-hashed
// file in ../widget/dist, write the tiny stable loader (widget.js) that
// points at it, write manifest.json, and print the gzipped sizes.
//
//   node build.mjs           build the widget
//   node build.mjs --tests   bundle test/*.test.ts into .test-build/ for `node --test`

import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "widget", "dist");
/** The size budget from issue 5: loader + bundle, gzipped. */
export const LIMIT_GZIP = 25 * 1024;

const gz = (buf) => gzipSync(buf, { level: 9 }).length;

/** The message catalog shared with the server: ../i18n/locales/<lang>/*.json. */
const catalogDir = join(here, "..", "i18n", "locales");
/** The catalog areas the widget uses; the dashboard's and the emails' text stays out of the bundle. */
const WIDGET_AREAS = ["widget.", "reason.", "lang."];
/** Menu order; the Go package i18n lists the same languages. */
export const LANGUAGES = ["en", "ru", "hy", "az", "tr"];

/** Read the widget's part of the catalog: lang → key → message (a string or plural forms). */
export function readCatalog() {
  const out = {};
  for (const lang of LANGUAGES) {
    const msgs = {};
    for (const f of readdirSync(join(catalogDir, lang)).filter((f) => f.endsWith(".json")).sort()) {
      for (const [k, v] of Object.entries(JSON.parse(readFileSync(join(catalogDir, lang, f), "utf8")))) {
        if (WIDGET_AREAS.some((a) => k.startsWith(a))) msgs[k] = v;
      }
    }
    out[lang] = msgs;
  }
  return out;
}

/** An esbuild plugin that provides the catalog as the module "parley:catalog". */
const catalogPlugin = {
  name: "parley-catalog",
  setup(build) {
    build.onResolve({ filter: /^parley:catalog$/ }, () => ({ path: "catalog", namespace: "parley-catalog" }));
    build.onLoad({ filter: /.*/, namespace: "parley-catalog" }, () => ({
      contents: `export default ${JSON.stringify(readCatalog())};`,
      loader: "js",
      watchFiles: LANGUAGES.flatMap((l) => readdirSync(join(catalogDir, l)).map((f) => join(catalogDir, l, f))),
    }));
  },
};

async function buildTests() {
  const dir = join(here, "test");
  const out = join(here, ".test-build");
  rmSync(out, { recursive: true, force: true });
  const entries = readdirSync(dir).filter((f) => f.endsWith(".test.ts")).map((f) => join(dir, f));
  await esbuild.build({
    entryPoints: entries,
    outdir: out,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outExtension: { ".js": ".mjs" },
    plugins: [catalogPlugin],
    logLevel: "warning",
  });
}

async function buildWidget() {
  const res = await esbuild.build({
    entryPoints: [join(here, "src", "main.ts")],
    bundle: true,
    minify: true,
    format: "iife",
    target: ["es2020", "chrome90", "firefox90", "safari15"],
    legalComments: "none",
    charset: "utf8",
    write: false,
    plugins: [catalogPlugin],
    logLevel: "warning",
  });
  const code = Buffer.from(res.outputFiles[0].contents);
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 12);
  const bundle = `widget.${hash}.js`;
  // The loader resolves the bundle relative to its own URL, so Parley can be
  // served under a path prefix. It inserts an async script; CSP script-src
  // must allow the comments host (or 'strict-dynamic' with a nonce on the loader).
  const loader = Buffer.from(
    `/* Parley comments loader */(function(){var c=document.currentScript;if(!c||window.Parley)return;` +
      `var s=document.createElement("script");s.src=new URL("widget/${bundle}",c.src).href;s.async=true;` +
      `(document.head||document.documentElement).appendChild(s)})();\n`,
  );
  mkdirSync(dist, { recursive: true });
  for (const f of readdirSync(dist)) {
    if (/^widget\.[0-9a-f]+\.js$/.test(f) && f !== bundle) rmSync(join(dist, f));
  }
  writeFileSync(join(dist, bundle), code);
  writeFileSync(join(dist, "widget.js"), loader);
  const sizes = {
    bundle_bytes: code.length,
    bundle_gzip_bytes: gz(code),
    loader_bytes: loader.length,
    loader_gzip_bytes: gz(loader),
  };
  const manifest = { loader: "widget.js", bundle, ...sizes, gzip_limit_bytes: LIMIT_GZIP };
  writeFileSync(join(dist, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  const total = sizes.bundle_gzip_bytes + sizes.loader_gzip_bytes;
  const kb = (n) => (n / 1024).toFixed(1) + " KB";
  console.log(`widget/dist/${bundle}: ${kb(sizes.bundle_bytes)} minified, ${kb(sizes.bundle_gzip_bytes)} gzipped`);
  console.log(`widget/dist/widget.js (loader): ${sizes.loader_bytes} B, ${sizes.loader_gzip_bytes} B gzipped`);
  console.log(`total gzipped: ${kb(total)} of ${kb(LIMIT_GZIP)} budget`);
  if (total > LIMIT_GZIP) {
    console.error(`widget is over the ${kb(LIMIT_GZIP)} gzip budget`);
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--tests")) await buildTests();
  else await buildWidget();
}
