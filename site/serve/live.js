// Live reload for 'go run ./runner serve': the server sends the build's
// version, and a message when a rebuild fails; the page reloads when the
// version changes and shows the failure until the next good build.
(function () {
  "use strict";
  var version = null, box = null;
  function showError(text) {
    if (!box) {
      box = document.createElement("pre");
      box.className = "live-error";
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    box.textContent = text;
  }
  function clearError() {
    if (box) { box.remove(); box = null; }
  }
  var source = new EventSource("/_live");
  source.addEventListener("version", function (ev) {
    var waiting = document.documentElement.hasAttribute("data-live-waiting");
    if (waiting || (version !== null && ev.data !== version)) { location.reload(); return; }
    version = ev.data;
    document.documentElement.setAttribute("data-live", "connected");
    clearError();
  });
  source.addEventListener("failed", function (ev) {
    showError("The site did not rebuild; showing the last good build.\n\n" + ev.data);
  });
})();
