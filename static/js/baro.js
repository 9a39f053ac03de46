// Small behaviours shared by every page. Gestures for the swipe feed live in swipe.js.
(function () {
  "use strict";

  // Toasts fade out on their own; tapping one dismisses it at once.
  function scheduleToast(toast) {
    if (toast.dataset.scheduled) return;
    toast.dataset.scheduled = "1";
    var dismiss = function () {
      toast.classList.add("is-leaving");
      setTimeout(function () { toast.remove(); }, 260);
    };
    toast.addEventListener("click", dismiss);
    setTimeout(dismiss, 4000);
  }
  function scanToasts(root) {
    (root || document).querySelectorAll("[data-toast]").forEach(scheduleToast);
  }
  document.addEventListener("DOMContentLoaded", function () { scanToasts(document); });
  document.addEventListener("htmx:load", function (event) { scanToasts(event.target.parentNode || document); });

  // A 503 (the database or Redis not answering) carries a toast and HX-Reswap: none.
  // htmx swaps no error response by default; let this one through so the toast shows.
  // It stays an error, so the page's own error handling (a card put back) still runs.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status === 503 && xhr.getResponseHeader("HX-Reswap") === "none") {
      event.detail.shouldSwap = true;
    }
  });
})();
