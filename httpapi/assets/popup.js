// Hands the login token back to the widget that opened this popup, to the
// checked origin only, then closes the popup.
(function () {
  var el = document.getElementById("parley-login");
  if (!el || !el.dataset.token) return;
  if (window.opener) {
    window.opener.postMessage(
      { type: "parley:login", token: el.dataset.token, user: { name: el.dataset.name, role: el.dataset.role || null } },
      el.dataset.origin
    );
    setTimeout(function () { window.close(); }, 300);
  }
})();

// Email sign-in (its messages come in the page's language as data-*
// attributes of the form): ask for a link, then wait for the tab where the link is
// opened to announce the session (BroadcastChannel, same origin) and hand
// it to the widget like a password login.
(function () {
  var main = document.getElementById("parley-login");
  var form = document.getElementById("email-link");
  var status = document.getElementById("email-status");
  if (!main || !form || !status) return;
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch("/api/v1/auth/email-link", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        site: form.dataset.site,
        email: form.elements.email.value,
        name: form.elements.name.value,
        return_to: form.dataset.return || "",
        lang: document.documentElement.lang || ""
      })
    })
      .then(function (r) {
        return r.json().then(function (b) {
          status.className = r.ok ? "" : "error";
          status.textContent = r.ok ? form.dataset.sent : (b.error && b.error.message) || form.dataset.failed;
        });
      })
      .catch(function () {
        status.className = "error";
        status.textContent = form.dataset.network;
      })
      .finally(function () {
        button.disabled = false;
      });
  });
  if (!window.BroadcastChannel || !window.opener) return;
  var ch = new BroadcastChannel("parley-login");
  ch.onmessage = function (ev) {
    var d = ev.data;
    if (!d || d.type !== "parley:login" || typeof d.token !== "string") return;
    window.opener.postMessage({ type: "parley:login", token: d.token, user: d.user }, main.dataset.origin);
    ch.close();
    status.textContent = form.dataset.signedIn;
    setTimeout(function () { window.close(); }, 300);
  };
})();
