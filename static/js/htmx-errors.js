// htmx leaves the page unchanged when a request fails (403, 404, 500, no
// network). Say so, instead of letting a click look ignored.
(function () {
  "use strict";

  function announce(text) {
    var box = document.getElementById("htmx-error");
    box.textContent = text;
    box.hidden = false;
  }

  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 403) {
      announce(box_text("forbidden"));
    } else if (status === 404) {
      announce(box_text("missing"));
    } else {
      announce(box_text("failed"));
    }
  });

  document.body.addEventListener("htmx:sendError", function () {
    announce(box_text("offline"));
  });

  document.body.addEventListener("htmx:beforeRequest", function () {
    document.getElementById("htmx-error").hidden = true;
  });

  function box_text(kind) {
    return document.getElementById("htmx-error").dataset[kind];
  }
})();
