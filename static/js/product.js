// Product and look pages: picking a colour brings that colour's photo to the front of
// the gallery. Without JavaScript every colour's photo is shown, each labelled.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var input = event.target;
    var colour = input && input.getAttribute && input.getAttribute("data-colour");
    if (!colour) return;
    var gallery = document.querySelector("[data-gallery]");
    if (!gallery) return;
    var photo = null;
    gallery.querySelectorAll("img[data-colour]").forEach(function (img) {
      if (!photo && img.getAttribute("data-colour") === colour) photo = img;
    });
    if (!photo || gallery.firstElementChild === photo) return;
    photo.removeAttribute("loading");
    gallery.insertBefore(photo, gallery.firstElementChild);
    gallery.scrollTo({ left: 0, top: 0 });
  });
})();
