// Shared by the widget's and the dashboard's browser tests: the chromium
// flags that work on this machine, polling, and starting the real parley
// binary with the demo site on a free port and a fresh data directory.
// It uses only node built-ins, so either test package can import it.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "..", "..");

/** Flags for Debian's chromium as root on a machine with a closed network. */
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

/** Run a command to completion and return its stdout; throw on failure. */
export function run(bin, args, input, timeout = 120000) {
  const r = spawnSync(bin, args, { input, encoding: "utf8", timeout });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(" ")} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/**
 * Build parley (unless PARLEY_BIN is set) and start `parley serve --demo` on
 * a free port with a fresh data directory (the demo's thread and queue only
 * with seed: true). Rate limits are off: the tests
 * post many comments from one address and are not about the limiter.
 * extraArgs are added to serve's (e.g. --smtp-url for a mailpit).
 * Returns { base, bin, data, logs(), stop() }.
 */
export async function startParley(prefix, { seed = false, extraArgs = [] } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  let bin = process.env.PARLEY_BIN;
  if (!bin) {
    bin = join(tmp, "parley");
    run("go", ["build", "-C", repoRoot, "-o", bin, "./cmd/parley"]);
  }
  const data = join(tmp, "data");
  mkdirSync(data);
  // Tests start from an empty demo site unless they ask for the seeded one.
  const args = ["serve", "--demo", `--demo-seed=${seed}`, "--addr", "127.0.0.1:0", "--data", data, "--rate-limit", "off", "--log-level", "warn"];
  // English start-up lines, whatever the machine's locale: the address is read from them.
  const proc = spawn(bin, [...args, ...extraArgs], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PARLEY_LANG: "en" },
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
  return {
    base,
    bin,
    data,
    stdout: () => out,
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
