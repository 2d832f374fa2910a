// Countdowns ("41 h 12 m left") tick every minute without a reload. The
// server writes the text, so a page without JavaScript still reads right;
// this only recomputes it. Time is counted from the server's clock at page
// load (data-now on #countdown-words) plus the time elapsed here, so a
// laptop whose clock is wrong still shows the right time left.
(function () {
  "use strict";

  var words = document.getElementById("countdown-words");
  if (!words) {
    return;
  }
  var serverNow = Number(words.dataset.now) * 1000;
  var loadedAt = Date.now();
  var HOUR = 3600 * 1000;
  var DUE_SOON = 24 * HOUR;

  function fill(template, values) {
    return template.replace(/%\((\w+)\)[sd]/g, function (_, name) {
      return String(values[name]);
    });
  }

  // The same spans as the server's duration filter (breachdesk/templatetags).
  function duration(ms) {
    var seconds = Math.floor(Math.abs(ms) / 1000);
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    if (hours >= 72) {
      return fill(words.dataset.days, { days: Math.floor(hours / 24), hours: hours % 24 });
    }
    if (hours) {
      return fill(words.dataset.hours, { hours: hours, minutes: minutes });
    }
    if (minutes) {
      return fill(words.dataset.minutes, { minutes: minutes });
    }
    return fill(words.dataset.seconds, { seconds: seconds % 60 });
  }

  function render(time, now) {
    var remaining = Date.parse(time.getAttribute("datetime")) - now;
    var css = "badge-neutral";
    var icon = "";
    var text = fill(words.dataset.left, { span: duration(remaining) });
    if (remaining < 0) {
      css = "badge-overdue";
      icon = "⚠";
      text = fill(words.dataset.overdue, { span: duration(remaining) });
    } else if (remaining <= DUE_SOON) {
      css = "badge-due-soon";
      icon = "◷";
    }
    time.classList.remove("badge-neutral", "badge-due-soon", "badge-overdue");
    time.classList.add(css);
    time.textContent = "";
    if (icon) {
      // Decoration beside the words, as the server writes it.
      var glyph = document.createElement("span");
      glyph.setAttribute("aria-hidden", "true");
      glyph.textContent = icon;
      time.append(glyph, " ");
    }
    time.append(text);
  }

  function tick() {
    var now = serverNow + (Date.now() - loadedAt);
    document.querySelectorAll("time[data-countdown]").forEach(function (time) {
      render(time, now);
    });
  }

  setInterval(tick, 60 * 1000);
  // Background tabs run timers late: catch up as soon as the tab is shown.
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      tick();
    }
  });
})();
