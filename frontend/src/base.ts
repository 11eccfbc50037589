// Working out the comments host from the script's own URL.

/** The API base for a script URL: ".../widget/widget.HASH.js" and ".../widget.js" both map to "...". */
export function baseFromScript(src: string): string {
  const u = new URL(src);
  const path = u.pathname.replace(/\/widget\/[^/]*$/, "/").replace(/\/[^/]*$/, "/");
  return (u.origin + path).replace(/\/$/, "");
}
