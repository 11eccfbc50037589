// A real SMTP server for the browser tests: mailpit
// (github.com/axllent/mailpit, as internal/testmail uses it) on free ports,
// and its HTTP API to read what parley sent. The binary is found in
// $PARLEY_MAILPIT, on $PATH, or in $(go env GOPATH)/bin.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until } from "./server.mjs";

/** The mailpit binary, or "" when there is none. */
export function mailpitBinary() {
  if (process.env.PARLEY_MAILPIT) return process.env.PARLEY_MAILPIT;
  const which = spawnSync("sh", ["-c", "command -v mailpit"], { encoding: "utf8" });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  const gopath = spawnSync("go", ["env", "GOPATH"], { encoding: "utf8" });
  const p = gopath.status === 0 ? join(gopath.stdout.trim(), "bin", "mailpit") : "";
  return p && existsSync(p) ? p : "";
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Start mailpit; returns { smtpURL, api, latestTo(addr), stop() }. */
export async function startMailpit() {
  const bin = mailpitBinary();
  if (!bin) throw new Error("mailpit is not installed: go install github.com/axllent/mailpit@v1.33.1 (or set PARLEY_MAILPIT)");
  const dir = mkdtempSync(join(tmpdir(), "parley-e2e-mailpit-"));
  const smtp = `127.0.0.1:${await freePort()}`;
  const http = `127.0.0.1:${await freePort()}`;
  const proc = spawn(bin, ["--smtp", smtp, "--listen", http, "--database", join(dir, "mailpit.db"), "--disable-version-check", "--quiet"], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  proc.stderr.on("data", (d) => (err += d));
  let exited = null;
  proc.on("exit", (code) => (exited = code));
  const api = `http://${http}`;
  await until(async () => {
    if (exited !== null) throw new Error(`mailpit exited with ${exited}: ${err}`);
    return (await fetch(`${api}/api/v1/info`)).ok;
  }, "mailpit to start", 30000);
  return {
    smtpURL: `smtp://${smtp}`,
    api,
    /** The newest message to addr, in full, waiting up to 20 s for it. */
    async latestTo(addr) {
      return until(async () => {
        const r = await fetch(`${api}/api/v1/messages?limit=50`);
        const { messages } = await r.json();
        const m = messages.find((x) => x.To.some((t) => t.Address.toLowerCase() === addr.toLowerCase()));
        return m && (await (await fetch(`${api}/api/v1/message/${encodeURIComponent(m.ID)}`)).json());
      }, `a mail to ${addr}`, 20000);
    },
    async stop() {
      if (exited === null) {
        proc.kill("SIGTERM");
        await until(() => exited !== null, "mailpit to exit", 10000).catch(() => proc.kill("SIGKILL"));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
