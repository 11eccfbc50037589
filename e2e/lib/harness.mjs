// Test harness: builds and starts the real parley binary with the demo site,
// creates a moderator through the CLI, and launches Debian's chromium through
// playwright-core. Pages that embed the widget are served to the browser by
// request interception on the server's own origin, each with its own story
// URL, so tests never see each other's comments.

import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_FLAGS, repoRoot, run, startParley, until } from "./server.mjs";

export { CHROMIUM_FLAGS, repoRoot, until };
export const outputDir = join(repoRoot, "e2e", "output");

/** The strict policy every test page is served with. */
export const STRICT_CSP = "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";


/** Build (unless PARLEY_BIN is set) and start `parley serve --demo` (options: see startParley). */
export async function startServer(opts = {}) {
  const srv = await startParley("parley-e2e-", opts);
  run(srv.bin, ["user", "add", "--data", srv.data, "--email", "mod@example.com", "--name", "Mod", "--role", "moderator", "--site", "demo", "--password-stdin"], "e2e-moderator-password-1\n");
  const lines = run(srv.bin, ["token", "create", "--data", srv.data, "--email", "mod@example.com"]).trim().split("\n");
  return { ...srv, token: lines[lines.length - 1].trim() };
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
