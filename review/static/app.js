// Keyboard shortcuts for reviewers and a click-to-zoom screenshot. No build step, no libraries.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
  }
  function press(id) {
    var el = document.getElementById(id);
    if (!el) return false;
    if (el.tagName === "A") { window.location.href = el.href; } else { el.click(); }
    return true;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var shot = document.getElementById("shot");
    if (shot) {
      shot.addEventListener("click", function () { shot.classList.toggle("zoomed"); });
    }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var reason = document.getElementById("reason");
    if (typing(document.activeElement)) {
      // In the reason box: Enter confirms, Escape leaves the box so letters are shortcuts again.
      if (document.activeElement === reason && ev.key === "Escape") { reason.blur(); ev.preventDefault(); }
      return;
    }
    var handled = false;
    switch (ev.key) {
      case "y": case "Y": handled = press("confirm"); break;
      case "n": case "N": handled = press("reject"); break;
      case "j": case "J": handled = press("next"); break;
      case "k": case "K": handled = press("prev"); break;
      case "r": case "R": if (reason) { reason.focus(); handled = true; } break;
      case "z": case "Z":
        var shot = document.getElementById("shot");
        if (shot) { shot.classList.toggle("zoomed"); handled = true; }
        break;
    }
    if (handled) ev.preventDefault();
  });
})();
