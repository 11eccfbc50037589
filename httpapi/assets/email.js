// After an email sign-in link is used, tells the login popup that asked for
// it (same origin, possibly another tab) so it can hand the session to the
// widget that opened it.
(function () {
  var el = document.getElementById("parley-email");
  if (!el || !el.dataset.token || !window.BroadcastChannel) return;
  var ch = new BroadcastChannel("parley-login");
  ch.postMessage({ type: "parley:login", token: el.dataset.token, user: { name: el.dataset.name, role: null } });
  ch.close();
})();
