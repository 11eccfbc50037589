// Parley moderator dashboard: keyboard triage, delayed-commit undo, bulk
// actions and live updates. The pages work without this script (every
// action is a plain form post); this adds speed on top. No inline code:
// the page's Content-Security-Policy is script-src 'self'.
(() => {
  "use strict";
  const body = document.body;
  const site = body.dataset.site || "";
  const csrf = body.dataset.csrf || "";
  const undoMs = Number(body.dataset.undoMs) || 5000;
  let strings = {};
  try {
    strings = JSON.parse(document.getElementById("i18n").textContent || "{}");
  } catch (_) {
    strings = {};
  }
  /** Translate a key; %s and %d are replaced by the arguments in order. */
  const t = (key, ...args) => {
    let s = strings[key] || key;
    for (const a of args) s = s.replace(/%[sd]/, String(a));
    return s;
  };

  const help = document.getElementById("help");
  const helpOpen = document.getElementById("help-open");
  if (helpOpen && help) helpOpen.addEventListener("click", () => help.showModal());

  // Messages: a toast (with an Undo button while an action can be undone)
  // and a polite live region for screen readers.
  const toast = document.getElementById("toast");
  const toastText = document.getElementById("toast-text");
  const toastUndo = document.getElementById("toast-undo");
  const live = document.getElementById("live");
  let toastTimer = 0;
  function say(msg, opts = {}) {
    if (!toast) return;
    clearTimeout(toastTimer);
    if (!msg) {
      toast.hidden = true;
      return;
    }
    toastText.textContent = msg;
    toastText.setAttribute("role", opts.alert ? "alert" : "status");
    toast.classList.toggle("alert", !!opts.alert);
    toastUndo.hidden = !opts.undo;
    toast.hidden = false;
    toastTimer = setTimeout(() => (toast.hidden = true), opts.alert ? 12000 : opts.undo ? undoMs : 4000);
  }
  function announce(msg) {
    if (live) live.textContent = msg;
  }

  const queue = document.getElementById("queue");
  if (!queue) {
    document.addEventListener("keydown", (e) => {
      if (e.key === "?" && help && !isTyping(e.target)) {
        e.preventDefault();
        help.showModal();
      }
    });
    return;
  }

  const lowRisk = queue.dataset.status === "lowrisk";
  const visibleItems = () => Array.from(queue.querySelectorAll(".item")).filter((el) => !el.hidden);
  let current = null;
  function setCurrent(el, focus = true) {
    if (current) current.classList.remove("current");
    current = el || null;
    if (!current) return;
    current.classList.add("current");
    if (focus) current.focus();
    current.scrollIntoView({ block: "nearest" });
  }
  function move(delta) {
    const list = visibleItems();
    if (!list.length) return;
    let i = list.indexOf(current);
    i = i < 0 ? 0 : Math.min(list.length - 1, Math.max(0, i + delta));
    setCurrent(list[i]);
  }
  /** The visible item after el (or before it, at the end of the list). */
  function neighbour(els) {
    const list = visibleItems();
    const gone = new Set(els);
    const start = list.indexOf(els[0]);
    for (let i = start + 1; i < list.length; i++) if (!gone.has(list[i])) return list[i];
    for (let i = start - 1; i >= 0; i--) if (!gone.has(list[i])) return list[i];
    return null;
  }
  function updateEmpty() {
    const empty = document.getElementById("empty");
    if (empty) empty.hidden = visibleItems().length > 0;
  }
  function updateSelection() {
    const n = visibleItems().filter((el) => el.querySelector("input.sel:checked")).length;
    const c = document.getElementById("sel-count");
    if (c) c.textContent = String(n);
  }
  function showNotice(el, msg) {
    const n = el.querySelector(".notice");
    if (n) {
      n.textContent = msg;
      n.hidden = false;
    }
  }

  // Pending operations. A decision is held in the browser for undoMs and
  // then sent; undo cancels it before anything reaches the server, so the
  // audit log only ever records decisions that were really made.
  const pending = [];
  function schedule(op) {
    const next = neighbour(op.els);
    for (const el of op.els) {
      el.hidden = true;
      el.classList.remove("current");
      const box = el.querySelector("input.sel");
      if (box) box.checked = false;
      el.classList.remove("selected");
    }
    setCurrent(next);
    if (!next) queue.focus();
    op.timer = setTimeout(() => commit(op, false), undoMs);
    pending.push(op);
    say(op.msg, { undo: true });
    announce(op.msg);
    updateEmpty();
    updateSelection();
  }
  function undo() {
    const op = pending.pop();
    if (!op) return;
    clearTimeout(op.timer);
    for (const el of op.els) el.hidden = false;
    setCurrent(op.els[0]);
    say(t("js.undone"));
    announce(t("js.undone"));
    updateEmpty();
  }
  async function commit(op, keepalive) {
    const i = pending.indexOf(op);
    if (i >= 0) pending.splice(i, 1);
    let res;
    let json = {};
    try {
      res = await fetch(op.url, {
        method: "POST",
        headers: { Accept: "application/json", "X-CSRF-Token": csrf, "Content-Type": "application/x-www-form-urlencoded" },
        body: op.data.toString(),
        credentials: "same-origin",
        keepalive,
      });
      json = await res.json().catch(() => ({}));
    } catch (err) {
      res = { ok: false, statusText: String(err) };
    }
    if (res.ok) {
      const failed = json.failed || {};
      const authors = new Set();
      for (const el of op.els) {
        if (failed[el.dataset.id]) {
          el.hidden = false;
          el.classList.add("stale");
          showNotice(el, failed[el.dataset.id]);
        } else {
          authors.add(el.dataset.author);
          el.remove();
        }
      }
      if (json.counts) updateCounts(json.counts);
      updateEmpty();
      // The low-risk lane brings the next page once this one is done.
      if (lowRisk && !visibleItems().length && !pending.length) {
        location.reload();
        return;
      }
      refreshAuthors(authors);
      return;
    }
    const msg = (json.error && json.error.message) || res.statusText || "error";
    for (const el of op.els) {
      el.hidden = false;
      el.classList.add("stale");
      showNotice(el, msg);
      for (const b of el.querySelectorAll("form.decide button")) b.disabled = json.error && json.error.code === "conflict";
    }
    if (op.els[0]) setCurrent(op.els[0], false);
    say(t("js.failed", msg), { alert: true });
    updateEmpty();
  }
  // Leaving the page sends what is still held, rather than dropping it.
  window.addEventListener("pagehide", () => {
    for (const op of pending.slice()) {
      clearTimeout(op.timer);
      commit(op, true);
    }
  });

  function decisionMessage(params, kept) {
    switch (params.get("action")) {
      case "approve":
        return kept ? t("js.kept") : t("js.approved");
      case "reject":
        return t("js.rejected", t("reason." + params.get("reason")));
      default:
        return t("js.spammed");
    }
  }

  document.addEventListener("submit", (e) => {
    const form = e.target;
    const kind = form.dataset && form.dataset.op;
    if (!kind) return;
    e.preventDefault();
    const data = new FormData(form);
    if (e.submitter && e.submitter.name) data.set(e.submitter.name, e.submitter.value);
    const params = new URLSearchParams();
    for (const [k, v] of data) if (k !== "ids") params.append(k, String(v));
    let els = [];
    let msg = "";
    // No reason is ever assumed: a rejection without one is refused here
    // (the select is also required, for the browser's own check).
    if (params.get("action") === "reject" && !params.get("reason")) {
      say(t("js.need_reason"), { alert: true });
      return;
    }
    if (kind === "decide") {
      els = [form.closest(".item")];
      msg = decisionMessage(params, !!(e.submitter && e.submitter.classList.contains("keep")));
    } else if (kind === "scope") {
      const item = form.closest(".item");
      const attr = params.get("scope") === "cluster" ? "cluster" : "author";
      els = visibleItems().filter((el) => el.dataset[attr] === item.dataset[attr]);
      msg = t("js.bulk", params.get("scope") === "cluster" ? form.querySelector(".reject-cluster").textContent.replace(/\D+/g, "") || els.length : els.length);
    } else if (kind === "selected") {
      els = visibleItems().filter((el) => el.querySelector("input.sel:checked"));
      if (!els.length) {
        say(t("js.nothing"), { alert: true });
        return;
      }
      for (const el of els) params.append("ids", el.dataset.id);
      msg = t("js.bulk", els.length);
    }
    // form.action would be the control named "action", not the attribute.
    schedule({ url: new URL(form.getAttribute("action"), location.href).href, data: params, els, msg });
  });

  /** Submit the current item's decision form with the given action; digit picks the reason (1–6). */
  function decide(action, digit) {
    if (!current) return;
    const form = current.querySelector("form.decide");
    if (!form) return;
    const button = form.querySelector(`button[value="${action}"]`);
    if (!button || button.disabled) return;
    const select = form.querySelector("select.reason");
    if (digit !== undefined && select) {
      const opt = select.querySelector(`option[data-digit="${digit}"]`);
      if (!opt) return;
      select.value = opt.value;
    }
    form.requestSubmit(button);
  }
  /** The current item's preselected reason (the classifier's suggestion), or "". */
  function selectedReason() {
    const select = current && current.querySelector("form.decide select.reason");
    return select ? select.value : "";
  }

  function isTyping(el) {
    if (!el || !el.tagName) return false;
    const tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) return true;
    return tag === "INPUT" && !["checkbox", "radio", "submit", "button"].includes(el.type);
  }

  let rejectMode = false;
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (help && help.open) return;
    if (e.key === "Escape") {
      if (rejectMode) {
        rejectMode = false;
        say("");
      }
      if (isTyping(e.target)) {
        e.target.blur();
        if (current) current.focus();
      }
      return;
    }
    if (isTyping(e.target)) return;
    if (rejectMode) {
      if (e.key === "Enter") {
        // Enter takes the suggested reason; without one it does nothing
        // and the prompt stays, waiting for a digit.
        e.preventDefault();
        if (selectedReason()) {
          rejectMode = false;
          say("");
          decide("reject");
        }
        return;
      }
      rejectMode = false;
      say("");
      if (/^[1-6]$/.test(e.key)) {
        e.preventDefault();
        decide("reject", e.key);
        return;
      }
    }
    switch (e.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "a":
        if (lowRisk) {
          // The low-risk lane: one key approves every ticked comment.
          const bar = document.getElementById("bulk");
          const btn = bar && bar.querySelector("button.approve-ticked");
          if (btn) bar.requestSubmit(btn);
        } else decide("approve");
        break;
      case "s":
        decide("spam");
        break;
      case "r":
        if (!current || !current.querySelector('form.decide button[value="reject"]')) return;
        rejectMode = true;
        {
          const r = selectedReason();
          const msg = r ? t("js.pick_reason_suggested", t("reason." + r)) : t("js.pick_reason");
          say(msg);
          announce(msg);
        }
        break;
      case "u":
        undo();
        break;
      case "x": {
        const box = current && current.querySelector("input.sel");
        if (!box) return;
        box.checked = !box.checked;
        current.classList.toggle("selected", box.checked);
        updateSelection();
        break;
      }
      case "?":
        if (help) help.showModal();
        break;
      default:
        return;
    }
    e.preventDefault();
  });
  if (toastUndo) toastUndo.addEventListener("click", undo);

  queue.addEventListener("click", (e) => {
    const el = e.target.closest(".item");
    if (el && el !== current) setCurrent(el, false);
  });
  queue.addEventListener("change", (e) => {
    if (e.target.matches("input.sel")) {
      e.target.closest(".item").classList.toggle("selected", e.target.checked);
      updateSelection();
    }
  });
  document.addEventListener("change", (e) => {
    if (e.target.matches("input.sel")) updateSelection();
  });

  // Live counts and items.
  function updateCounts(counts) {
    for (const el of document.querySelectorAll("[data-count]")) {
      const n = counts[el.dataset.count];
      el.textContent = String(n || 0);
    }
  }
  // The server shares one answer per event among every open tab; "since"
  // (the event's time) tells it how fresh that answer must be.
  let countsTimer = 0;
  let countsSince = "";
  function refreshCounts(since) {
    if (since && (!countsSince || Date.parse(since) > Date.parse(countsSince))) countsSince = since;
    clearTimeout(countsTimer);
    countsTimer = setTimeout(async () => {
      try {
        const r = await fetch(`/moderation/s/${encodeURIComponent(site)}/counts?since=${encodeURIComponent(countsSince)}`, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (r.ok) updateCounts((await r.json()).counts || {});
      } catch (_) {
        /* the next event retries */
      }
    }, 300);
  }
  async function fragment(id, since) {
    const q = new URLSearchParams(queue.dataset.filter || "");
    if (since) q.set("since", since);
    const r = await fetch(`/moderation/s/${encodeURIComponent(site)}/items/${encodeURIComponent(id)}?${q}`, {
      headers: { Accept: "text/html" },
      credentials: "same-origin",
    });
    if (r.status !== 200) return null;
    const tpl = document.createElement("template");
    tpl.innerHTML = (await r.text()).trim();
    return tpl.content.firstElementChild;
  }
  /** Re-render the items still on the page by authors a decision just changed, so their history counts are current. */
  async function refreshAuthors(authors) {
    for (const el of visibleItems()) {
      if (!authors.has(el.dataset.author)) continue;
      let fresh;
      try {
        fresh = await fragment(el.dataset.id);
      } catch (_) {
        continue;
      }
      const now = document.getElementById("c-" + el.dataset.id);
      if (!now || now.hidden) continue;
      if (!fresh) continue; // gone from this view: the live stream removes it
      const wasCurrent = now === current;
      const box = now.querySelector("input.sel");
      const fbox = fresh.querySelector("input.sel");
      if (box && fbox) fbox.checked = box.checked;
      fresh.classList.toggle("selected", !!(fbox && fbox.checked));
      now.replaceWith(fresh);
      if (wasCurrent) setCurrent(fresh, false);
    }
  }

  async function onEvent(ev) {
    refreshCounts(ev.at);
    const id = ev.comment_id;
    if (!id) return;
    const el = document.getElementById("c-" + id);
    if (el && el.hidden) return; // our own decision, held or being sent
    let fresh;
    try {
      fresh = await fragment(id, ev.at);
    } catch (_) {
      return;
    }
    const now = document.getElementById("c-" + id);
    if (now && now.hidden) return;
    if (now) {
      if (!fresh) {
        const next = now === current ? neighbour([now]) : null;
        now.remove();
        if (next) setCurrent(next, false);
        announce(t("js.gone"));
        updateEmpty();
      } else if (fresh.dataset.version !== now.dataset.version) {
        const wasCurrent = now === current;
        now.replaceWith(fresh);
        if (wasCurrent) setCurrent(fresh, false);
      }
      return;
    }
    if (!fresh) return;
    fresh.classList.add("fresh");
    if (queue.dataset.sort === "newest") queue.prepend(fresh);
    else queue.append(fresh);
    if (!current) setCurrent(fresh, false);
    announce(t("js.new_item"));
    updateEmpty();
  }
  if (window.EventSource && site) {
    const es = new EventSource(`/api/v1/moderation/stream?site=${encodeURIComponent(site)}`);
    const handler = (m) => {
      try {
        onEvent(JSON.parse(m.data));
      } catch (_) {
        /* ignore a malformed event */
      }
    };
    es.addEventListener("comment.created", handler);
    es.addEventListener("comment.updated", handler);
    es.addEventListener("open", () => body.setAttribute("data-live", "on"));
    es.addEventListener("error", () => body.setAttribute("data-live", "off"));
  }

  setCurrent(visibleItems()[0], true);
  updateEmpty();
})();
