// Swipe feed gestures: drag or touch the top card, arrow keys, and the buttons.
// Every path ends in submitting one of the deck's real forms, which htmx posts;
// without JavaScript those forms still work as plain POSTs.
(function () {
  "use strict";

  var COMMIT_FRACTION = 0.3; // of the card's width: past it a drag is a swipe

  function deck() { return document.getElementById("deck"); }
  // One swipe in flight at a time (no double records, no skipped cards). The flag
  // lives on the deck element, so the fresh deck htmx swaps in is ready at once.
  function busy() { var d = deck(); return !!d && d.getAttribute("aria-busy") === "true"; }
  function topCard() { var d = deck(); return d && d.querySelector(".look-card.is-top"); }
  function swipeForm(reaction) {
    var d = deck();
    return d && d.querySelector('form[data-swipe-form="' + reaction + '"]');
  }

  function flyOut(card, direction) {
    card.style.transition = "transform .3s ease-out, opacity .3s ease-out";
    card.style.transform = "translate(" + direction * 130 + "vw, -30px) rotate(" + direction * 28 + "deg)";
    card.style.opacity = "0";
    var under = deck().querySelector(".look-card.is-under");
    if (under) under.classList.add("is-rising");
  }

  // htmx wires a swapped-in deck's forms only when the swap settles (~20 ms later);
  // a form it has not wired yet would post as a whole page. Wiring it here first is
  // harmless (htmx skips elements it has already processed).
  function submit(form) {
    if (!form || busy()) return;
    if (window.htmx) window.htmx.process(deck());
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  // Backstop for a button pressed in that same window: with htmx on the page, a deck
  // form htmx did not take over is dropped rather than posted as a page of its own.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !window.htmx || !form.closest || !form.closest("#deck")) return;
    event.preventDefault();
  });

  // htmx is about to post one of the deck's forms: lock, and animate the card away.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form.closest || !form.closest("#deck")) return;
    if (busy()) { event.preventDefault(); return; }
    deck().setAttribute("aria-busy", "true");
    var reaction = form.getAttribute("data-swipe-form");
    var card = topCard();
    if (reaction && card) flyOut(card, reaction === "like" ? 1 : -1);
    if (form.hasAttribute("data-undo-form")) deck().classList.add("is-undoing");
  });

  function release() {
    var d = deck();
    if (d) d.removeAttribute("aria-busy");
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    var config = event.detail.requestConfig;
    if (config && config.elt && config.elt.hasAttribute("data-undo-form")) {
      var card = topCard();
      if (card) card.classList.add("is-returning");
    }
  });
  ["htmx:responseError", "htmx:sendError", "htmx:swapError"].forEach(function (name) {
    document.addEventListener(name, function () {
      var card = topCard();
      if (card) { card.style.transform = ""; card.style.opacity = ""; }
      release();
    });
  });

  // Keys: right = like, left = nope, down or Backspace = undo.
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (!deck()) return;
    if (event.key === "ArrowRight") { event.preventDefault(); submit(swipeForm("like")); }
    else if (event.key === "ArrowLeft") { event.preventDefault(); submit(swipeForm("dislike")); }
    else if (event.key === "ArrowDown" || event.key === "Backspace") {
      var undo = deck().querySelector("form[data-undo-form]");
      var button = undo && undo.querySelector("button");
      event.preventDefault();
      if (button && !button.disabled) submit(undo);
    }
  });

  // Drag: the card follows the pointer, tilts, shows its stamp, and commits past the threshold.
  // The pointer is captured only once it has moved: capturing on pointerdown would
  // retarget the click of a plain press on the title link to the card.
  var DRAG_START = 6; // px of horizontal travel before a press becomes a drag
  var drag = null;
  var dragJustEnded = false;
  document.addEventListener("pointerdown", function (event) {
    var card = event.target.closest && event.target.closest("#deck .look-card.is-top");
    if (!card || busy() || (event.pointerType === "mouse" && event.button !== 0)) return;
    drag = { card: card, id: event.pointerId, x: event.clientX, y: event.clientY, dx: 0, moved: false };
  });
  document.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.id) return;
    var dx = event.clientX - drag.x;
    var dy = event.clientY - drag.y;
    if (!drag.moved) {
      if (Math.abs(dx) < DRAG_START) return;
      drag.moved = true;
      drag.card.style.transition = "none";
      try { drag.card.setPointerCapture(event.pointerId); } catch (e) { /* pointer already gone */ }
    }
    drag.dx = dx;
    var width = drag.card.offsetWidth;
    drag.card.style.transform = "translate(" + dx + "px, " + dy * 0.25 + "px) rotate(" + dx / 16 + "deg)";
    var strength = Math.min(1, Math.abs(dx) / (width * COMMIT_FRACTION));
    drag.card.querySelector(".stamp-like").style.opacity = dx > 0 ? strength : 0;
    drag.card.querySelector(".stamp-nope").style.opacity = dx < 0 ? strength : 0;
  });
  function endDrag(event) {
    if (!drag || event.pointerId !== drag.id) return;
    var card = drag.card;
    var moved = drag.moved;
    var dx = drag.dx;
    drag = null;
    if (!moved) return;
    // A drag is not a click: the click that follows this pointerup (if any) must not
    // open the title link. It is dispatched before any timer runs.
    dragJustEnded = true;
    setTimeout(function () { dragJustEnded = false; }, 0);
    if (event.type !== "pointercancel" && Math.abs(dx) > card.offsetWidth * COMMIT_FRACTION) {
      submit(swipeForm(dx > 0 ? "like" : "dislike"));
      return;
    }
    card.style.transition = "transform .25s cubic-bezier(.2,.9,.3,1.3)";
    card.style.transform = "";
    card.querySelectorAll(".stamp").forEach(function (stamp) { stamp.style.opacity = 0; });
  }
  document.addEventListener("pointerup", endDrag);
  document.addEventListener("pointercancel", endDrag);
  document.addEventListener("click", function (event) {
    if (dragJustEnded) { event.preventDefault(); event.stopPropagation(); }
  }, true);
  // The browser's own drag of a link or image would cancel the pointer mid-swipe.
  document.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest("#deck")) event.preventDefault();
  });
})();
