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

  // Deal countdowns: the page says "Ends at 23:59 CET" (true even when cached); count down to it live.
  function remaining(ms) {
    var s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600);
    var m = Math.floor(s % 3600 / 60), sec = s % 60;
    if (d) return d + " d " + h + " h " + m + " min";
    return (h ? h + " h " : "") + m + " min " + (sec < 10 ? "0" : "") + sec + " s";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (box) {
      var end = Date.parse(box.getAttribute("data-countdown"));
      var time = box.querySelector("time");
      if (isNaN(end) || !time) return;
      if (end > now) time.textContent = "in " + remaining(end - now);
      else { box.textContent = box.getAttribute("data-over") || ""; box.removeAttribute("data-countdown"); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
  document.addEventListener("htmx:afterSettle", tick);
  document.addEventListener("DOMContentLoaded", placeFilters);
  document.addEventListener("htmx:afterSettle", placeFilters);
  wide.addEventListener("change", placeFilters);
  document.addEventListener("click", showImage);
  document.addEventListener("htmx:responseError", function () { toast("Sorry, that didn’t work. Please try again."); });
  document.addEventListener("htmx:sendError", function () { toast("You seem to be offline. Please try again."); });
})();
