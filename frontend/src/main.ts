// Entry point: find the embed containers and mount a widget in each.

import { baseFromScript } from "./base";
import { Widget } from "./widget";

// The comments host is wherever this script came from. document.currentScript
// is only set while the script first runs, so read it now.
function scriptSrc(): string {
  const s = document.currentScript as HTMLScriptElement | null;
  if (s && s.src) return s.src;
  const all = document.querySelectorAll<HTMLScriptElement>('script[src*="widget"]');
  return all.length ? all[all.length - 1].src : location.href;
}

const BASE = baseFromScript(scriptSrc());
const mounted = new WeakSet<HTMLElement>();

function storyUrl(): string {
  const canon = document.querySelector<HTMLLinkElement>('link[rel="canonical"]');
  if (canon && canon.href) return canon.href;
  return location.origin + location.pathname;
}

function mountAll(): void {
  document.querySelectorAll<HTMLElement>("#parley-comments, [data-parley]").forEach((el) => {
    if (mounted.has(el)) return;
    const d = el.dataset;
    if (!d.site) {
      console.warn("parley: the comments container needs a data-site attribute");
      return;
    }
    mounted.add(el);
    new Widget(el, {
      base: d.host ? d.host.replace(/\/+$/, "") : BASE,
      site: d.site,
      storyUrl: d.storyUrl || storyUrl(),
      storyTitle: d.storyTitle || document.title,
      locale: d.locale || "",
      sort: d.sort === "newest" ? "newest" : "oldest",
      ssoToken: d.ssoToken,
      ssoCallback: d.ssoCallback,
      ssoLoginUrl: d.ssoLoginUrl,
    });
  });
}

const w = window as unknown as { Parley?: { mount: () => void } };
if (!w.Parley) {
  w.Parley = { mount: mountAll };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
}
