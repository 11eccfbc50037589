// The dashboard's part of the e2e harness (server.mjs is shared with the
// widget's part, harness.mjs): builds (unless
// PARLEY_BIN is set) and starts the real parley binary with the demo site,
// adds a second site and users of every kind through the CLI, and launches
// Debian's chromium through playwright-core with a fresh profile.

import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_FLAGS, repoRoot, run, startParley, until as untilDefault } from "./server.mjs";

export { CHROMIUM_FLAGS, repoRoot };
export const outputDir = join(repoRoot, "e2e", "output", "moderation");
export const PASSWORD = "e2e-moderation-password";
export const UNDO_MS = 5000;

/** Poll fn until it returns a truthy value; throw after timeout ms. */
export const until = (fn, msg, timeout = 20000) => untilDefault(fn, msg, timeout);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Start `parley serve --demo` on a free port with a fresh data directory,
 * add site "other", and the users:
 *   mod1, mod2: moderators of demo; modother: moderator of other;
 *   author: author on demo; reader: an account with no role.
 */
export async function startServer() {
  const srv = await startParley("parley-modui-e2e-");
  const { bin, data } = srv;
  run(bin, ["site", "add", "--data", data, "--id", "other", "--name", "The Other Paper", "--origin", "https://other.example"]);
  const users = {
    mod1: ["mod1@example.com", "Mod One", "moderator", "demo"],
    mod2: ["mod2@example.com", "Mod Two", "moderator", "demo"],
    modother: ["modother@example.com", "Other Mod", "moderator", "other"],
    author: ["author@example.com", "Ann Author", "author", "demo"],
    reader: ["reader@example.com", "Rita Reader", "author", "other"],
  };
  for (const [email, name, role, site] of Object.values(users)) {
    run(bin, ["user", "add", "--data", data, "--email", email, "--name", name, "--role", role, "--site", site, "--password-stdin"], PASSWORD + "\n");
  }
  const lines = run(bin, ["token", "create", "--data", data, "--email", users.mod1[0]]).trim().split("\n");
  const token = lines[lines.length - 1].trim();
  return { ...srv, token, users: Object.fromEntries(Object.entries(users).map(([k, v]) => [k, v[0]])) };
}

/** Post a guest comment through the public API; returns the comment. */
export async function post(srv, { story, body, name = "Guest", email = "", title = "" }) {
  const r = await fetch(`${srv.base}/api/v1/comments`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      site: "demo",
      story_url: `https://demo.parley.example/${story}`,
      story_title: title || `Story ${story}`,
      body,
      author_name: name,
      author_email: email,
      hp: "",
      compose_ms: 30000,
    }),
  });
  const j = await r.json();
  if (r.status !== 201) throw new Error(`post: ${r.status} ${JSON.stringify(j)}`);
  // The public answer leaves out moderator fields such as story_id.
  return modComment(srv, j.comment.id);
}

/** A comment as moderators see it, through the JSON API. */
export async function modComment(srv, id) {
  const r = await fetch(`${srv.base}/api/v1/moderation/comments/${encodeURIComponent(id)}`, { headers: { Authorization: "Bearer " + srv.token } });
  if (!r.ok) throw new Error(`comment ${id}: ${r.status} ${await r.text()}`);
  return (await r.json()).comment;
}

/** The public thread of a story (what readers see). */
export async function publicThread(srv, story) {
  const r = await fetch(`${srv.base}/api/v1/comments?site=demo&story_url=${encodeURIComponent(`https://demo.parley.example/${story}`)}`);
  if (!r.ok) throw new Error(`thread: ${r.status}`);
  return (await r.json()).comments;
}

/** Decide through the JSON API as mod1. */
export async function apiDecide(srv, id, action, body = {}) {
  const r = await fetch(`${srv.base}/api/v1/moderation/comments/${encodeURIComponent(id)}/${action}`, {
    method: "POST",
    headers: { Authorization: "Bearer " + srv.token, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${action} ${id}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** The audit entries for a comment, through the JSON API. */
export async function auditFor(srv, id) {
  const r = await fetch(`${srv.base}/api/v1/moderation/audit?site=demo&comment=${encodeURIComponent(id)}`, { headers: { Authorization: "Bearer " + srv.token } });
  if (!r.ok) throw new Error(`audit: ${r.status}`);
  return (await r.json()).entries;
}

export async function launchBrowser() {
  // A fresh profile for every run: playwright-core's launch uses a new
  // temporary user-data directory unless one is given.
  return chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args: CHROMIUM_FLAGS });
}

/**
 * A signed-in moderator: a new browser context that logged in through the
 * dashboard's login form and landed on `next`. Page errors and CSP
 * violations fail the test that checks `problems`.
 */
export async function signIn(browser, srv, email, next = "/moderation") {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  await page.goto(`${srv.base}/moderation/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/moderation/login"));
  return { ctx, page, problems };
}
