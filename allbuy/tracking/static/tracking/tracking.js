// AllBuy first-party activity tracking. What it may send is decided by the server for this visitor
// (#tracking-state data-collect): "events" after consent to analytics or personalisation, otherwise "count" —
// a bare page view that is only added to a per-day counter, with no identifier. It stores nothing in the browser.
(function () {
  "use strict";

  var ENDPOINT = "/events/batch";
  var MAX_BATCH = 50;
  var queue = [];
  var timer = null;
  var mode = "count";

  function now() { return Date.now(); }

  function screenWidth() {
    return Math.round(window.screen && window.screen.width ? window.screen.width : window.innerWidth || 0);
  }

  function push(event) {
    event.ts = now();
    event.path = window.location.pathname;
    if (mode === "events") event.screen = screenWidth();
    queue.push(event);
    if (queue.length >= MAX_BATCH) flush();
    else schedule();
  }

  function schedule() {
    if (timer === null) timer = window.setTimeout(flush, 1500);
  }

  function flush() {
    if (timer !== null) { window.clearTimeout(timer); timer = null; }
    while (queue.length) {
      var body = JSON.stringify({ events: queue.splice(0, MAX_BATCH) });
      var sent = false;
      // text/plain keeps sendBeacon a simple request (no preflight); the server reads the JSON body as it is.
      if (navigator.sendBeacon) {
        try { sent = navigator.sendBeacon(ENDPOINT, new Blob([body], { type: "text/plain;charset=UTF-8" })); } catch (e) { sent = false; }
      }
      if (!sent && window.fetch) {
        window.fetch(ENDPOINT, { method: "POST", body: body, keepalive: true, credentials: "same-origin",
          headers: { "Content-Type": "text/plain;charset=UTF-8" } }).catch(function () {});
      }
    }
  }

  function timings() {
    var entry = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    if (!entry) return {};
    return {
      ttfb: Math.max(0, Math.round(entry.responseStart - entry.startTime)),
      dom: Math.max(0, Math.round(entry.domContentLoadedEventEnd - entry.startTime)),
      load: Math.max(0, Math.round(entry.loadEventEnd - entry.startTime))
    };
  }

  function pageEvents() {
    var events = [];
    var product = document.querySelector("[data-product-id]");
    if (product) events.push({ type: "product_view", product: parseInt(product.getAttribute("data-product-id"), 10) });
    if (window.location.pathname === "/search") {
      var q = new URLSearchParams(window.location.search).get("q");
      if (q && q.trim()) events.push({ type: "search", query: q.trim().slice(0, 200) });
    }
    var step = document.querySelector("[data-checkout-step]");
    if (step) events.push({ type: "checkout_step", step: step.getAttribute("data-checkout-step") });
    return events;
  }

  function onLoaded() {
    var state = document.getElementById("tracking-state");
    mode = state ? state.getAttribute("data-collect") : "count";
    // After load has finished, so that loadEventEnd is known.
    window.setTimeout(function () {
      if (mode === "events") {
        push({ type: "page_view", timing: timings() });
        pageEvents().forEach(push);
      } else {
        push({ type: "page_view" });
      }
      flush();
    }, 0);
  }

  // The banner's buttons post through htmx, and the answer deletes the banner. A refused post (403 for a post the shop
  // cannot tell came from its own page, 400) saved nothing, yet the site's htmx config swaps 4xx answers: the banner would
  // vanish as if the choice were made. Keep it, and open the cookie settings, whose fresh form can save the choice.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (!target || target.id !== "consent-banner" || status < 400 || status >= 500) return;
    event.detail.shouldSwap = false;
    var choose = target.querySelector("a[href^='/privacy/cookies']");
    window.location.assign(choose ? choose.href : "/privacy/cookies");
  });

  // The banner's button that had the focus is gone with the banner: give the focus to the page's content, so a
  // keyboard user goes on from there rather than from the top of the document.
  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (!target || target.id !== "consent-banner" || status < 200 || status >= 300) return;
    var main = document.getElementById("main");
    if (main) window.setTimeout(function () { main.focus({ preventScroll: true }); }, 0);
  });

  // A consent decision taken on this page (the banner's buttons, through htmx) applies from the next page on.
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") flush(); });
  window.addEventListener("pagehide", flush);
  if (document.readyState === "complete") onLoaded();
  else window.addEventListener("load", onLoaded);
})();
