// Test harness: builds and starts the real parley binary with the demo site,
// creates a moderator through the CLI, and launches Debian's chromium through
// playwright-core. Pages that embed the widget are served to the browser by
// request interception on the server's own origin, each with its own story
// URL, so tests never see each other's comments.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "..", "..");
export const outputDir = join(repoRoot, "e2e", "output");

/** The strict policy every test page is served with. */
export const STRICT_CSP = "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Poll fn until it returns a truthy value; throw msg after timeout ms. */
export async function until(fn, msg, timeout = 15000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out: ${msg} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function run(bin, args, input) {
  const r = spawnSync(bin, args, { input, encoding: "utf8", timeout: 60000 });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(" ")} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Build (unless PARLEY_BIN is set) and start `parley serve --demo`. */
export async function startServer() {
  const tmp = mkdtempSync(join(tmpdir(), "parley-e2e-"));
  let bin = process.env.PARLEY_BIN;
  if (!bin) {
    bin = join(tmp, "parley");
    run("go", ["build", "-C", repoRoot, "-o", bin, "./cmd/parley"]);
  }
  const data = join(tmp, "data");
  mkdirSync(data);
  // Rate limits are off: these tests post many comments from one address
  // and are about the widget, not the limiter.
  const proc = spawn(bin, ["serve", "--demo", "--addr", "127.0.0.1:0", "--data", data, "--rate-limit", "off", "--log-level", "warn"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stdout.on("data", (d) => (out += d));
  proc.stderr.on("data", (d) => (err += d));
  let exited = null;
  proc.on("exit", (code) => (exited = code));
  const base = await until(() => {
    if (exited !== null) throw new Error(`parley exited with ${exited}: ${err}`);
    const m = /parley listening on (http:\/\/\S+)/.exec(out);
    return m && m[1];
  }, "parley to print its address", 60000).catch((e) => {
    proc.kill();
    throw new Error(`${e.message}\nstdout: ${out}\nstderr: ${err}`);
  });
  await until(async () => (await fetch(base + "/healthz")).ok, "healthz", 30000);
  run(bin, ["user", "add", "--data", data, "--email", "mod@example.com", "--name", "Mod", "--role", "moderator", "--site", "demo", "--password-stdin"], "e2e-moderator-password-1\n");
  const lines = run(bin, ["token", "create", "--data", data, "--email", "mod@example.com"]).trim().split("\n");
  const token = lines[lines.length - 1].trim();
  return {
    base,
    token,
    logs: () => err,
    async stop() {
      if (exited === null) {
        proc.kill("SIGTERM");
        await until(() => exited !== null, "parley to exit", 15000).catch(() => proc.kill("SIGKILL"));
      }
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Call the moderation API as the test moderator. */
export async function moderate(srv, id, action, body = {}) {
  const r = await fetch(`${srv.base}/api/v1/moderation/comments/${encodeURIComponent(id)}/${action}`, {
    method: "POST",
    headers: { Authorization: "Bearer " + srv.token, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${action} ${id}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** The moderation queue's comments with the given status. */
export async function queue(srv, status = "pending") {
  const r = await fetch(`${srv.base}/api/v1/moderation/queue?site=demo&status=${status}&limit=500`, {
    headers: { Authorization: "Bearer " + srv.token },
  });
  if (!r.ok) throw new Error(`queue: ${r.status} ${await r.text()}`);
  return (await r.json()).comments;
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_FLAGS,
  });
}

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

/** The HTML of an article page with the standard snippet. */
export function articleHTML({ story, title = "Test story", locale = "", theme = "", lang = "en" }) {
  return `<!doctype html>
<html lang="${esc(lang)}"><head><meta charset="utf-8"><title>${esc(title)}</title></head>
<body><h1>${esc(title)}</h1><p>Article text.</p>
<div id="parley-comments" data-site="demo" data-story-url="${esc(story)}" data-story-title="${esc(title)}"${locale ? ` data-locale="${esc(locale)}"` : ""}${theme ? ` data-theme="${esc(theme)}"` : ""}></div>
<script src="/widget.js" async></script>
</body></html>`;
}

/**
 * A reader: a fresh browser context (its own storage) whose requests for
 * /e2e/<slug> on the server origin get an article page from `pages`.
 */
export async function newReader(browser, srv, pages, contextOptions = {}) {
  const ctx = await browser.newContext(contextOptions);
  await ctx.route(`${srv.base}/e2e/**`, (route) => {
    const slug = new URL(route.request().url()).pathname.slice("/e2e/".length);
    const p = pages.get(slug);
    if (!p) return route.fulfill({ status: 404, body: "no such test page" });
    return route.fulfill({
      status: 200,
      headers: { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": STRICT_CSP },
      body: articleHTML(p),
    });
  });
  return ctx;
}

/** Open a test article and wait for the widget to render its thread. */
export async function openArticle(ctx, srv, slug, hash = "") {
  const page = await ctx.newPage();
  await page.goto(`${srv.base}/e2e/${slug}${hash}`);
  await widgetReady(page);
  return page;
}

export async function widgetReady(page) {
  await page.locator("#parley-comments .count").waitFor({ timeout: 15000 });
}

export const mainForm = (page) => page.locator("#parley-comments form.cform").first();

/**
 * Fill a comment form. The server treats a comment sent less than 2 s after
 * writing began as a bot (spamcheck.MinComposeMillis), so wait that long,
 * as a person would take at least that long.
 */
export async function fillComment(form, { name, email, body }) {
  if (name !== undefined && (await form.locator("input[name=name]").count())) await form.locator("input[name=name]").fill(name);
  if (email !== undefined && (await form.locator("input[name=email]").count())) await form.locator("input[name=email]").fill(email);
  await form.locator("textarea[name=body]").fill(body);
  await form.page().waitForTimeout(2100);
}

/** The id of the comment article containing text. */
export async function commentId(page, text) {
  const id = await page.locator("#parley-comments article", { hasText: text }).first().getAttribute("id", { timeout: 10000 });
  return id.replace(/^parley-comment-/, "");
}

/** The element focused inside the widget's shadow root: {cls, role, text}. */
export async function focused(page) {
  return page.evaluate(() => {
    const a = document.getElementById("parley-comments")?.shadowRoot?.activeElement;
    return a ? { tag: a.tagName.toLowerCase(), cls: a.className, role: a.getAttribute("role"), text: a.textContent, type: a.getAttribute("type") } : null;
  });
}
