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
