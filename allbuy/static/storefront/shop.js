// AllBuy storefront: small enhancements on top of pages that work without JavaScript.
(function () {
  "use strict";

  // Filters: open on wide screens, folded away on phones.
  var wide = window.matchMedia("(min-width: 900px)");
  function placeFilters() {
    document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
      if (wide.matches) details.open = true;
    });
  }

  // Gallery thumbnails scroll the image strip instead of jumping the whole page.
  function showImage(event) {
    var thumb = event.target.closest(".thumb");
    if (!thumb) return;
    var slide = document.getElementById(thumb.getAttribute("href").slice(1));
    if (!slide) return;
    event.preventDefault();
    slide.parentElement.scrollTo({ left: slide.offsetLeft, behavior: "smooth" });
    thumb.closest(".gallery-thumbs").querySelectorAll(".thumb").forEach(function (other) {
      other.classList.toggle("is-current", other === thumb);
    });
  }

  // A failed htmx request must not fail silently.
  var toastTimer;
  function toast(message) {
    var box = document.getElementById("toast");
    if (!box) return;
    box.textContent = message;
    box.classList.add("is-visible");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { box.classList.remove("is-visible"); }, 5000);
  }

  document.addEventListener("DOMContentLoaded", placeFilters);
  document.addEventListener("htmx:afterSettle", placeFilters);
  wide.addEventListener("change", placeFilters);
  document.addEventListener("click", showImage);
  document.addEventListener("htmx:responseError", function () { toast("Sorry, that didn’t work. Please try again."); });
  document.addEventListener("htmx:sendError", function () { toast("You seem to be offline. Please try again."); });
})();
