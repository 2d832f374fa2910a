// Panels marked data-live poll the server (hx-trigger="every 30s"). A hidden
// tab skips its polls, and asks once for fresh panels when it is shown again.
// Done here rather than with an htmx trigger filter because filters are
// evaluated code, which our CSP (no unsafe-eval) and htmx config forbid.
(function () {
  "use strict";

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (document.hidden && event.detail.elt.hasAttribute("data-live")) {
      event.preventDefault();
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      return;
    }
    document.querySelectorAll("[data-live]").forEach(function (panel) {
      htmx.trigger(panel, "live:resume");
    });
  });
})();
