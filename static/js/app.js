// ClaimDesk: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.requestSubmit();
    }
  });

  // Guard forms against double submission: disable submit buttons once the form is on its way.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.hasAttribute("data-allow-resubmit")) return;
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
      b.setAttribute("aria-disabled", "true");
      b.classList.add("is-busy");
    });
  });
  // Coming back with the browser's back button must leave forms usable.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (f) { delete f.dataset.submitting; });
    document.querySelectorAll(".is-busy").forEach(function (b) { b.classList.remove("is-busy"); b.removeAttribute("aria-disabled"); });
  });

  // Send the CSRF token with htmx requests.
  document.addEventListener("htmx:configRequest", function (event) {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
  });
})();

// Print buttons (the claim record export).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof HTMLElement && target.hasAttribute("data-print")) window.print();
});

// A result that answers what the user just asked (the checker's overall verdict) takes focus, so screen
// readers announce it and a phone shows it first.
document.addEventListener("DOMContentLoaded", function () {
  var result = document.querySelector("[data-focus-on-load]");
  if (result instanceof HTMLElement) {
    result.focus({ preventScroll: false });
  }
});

// The header menu starts open (so it works without JavaScript); on a phone it starts folded.
(function () {
  var menu = document.querySelector("[data-nav-menu]");
  if (!menu || !window.matchMedia) return;
  var phone = window.matchMedia("(max-width: 719px)");
  function fit() {
    // Wider screens have no toggle (CSS): the menu must be open there; a phone starts folded.
    if (phone.matches) menu.removeAttribute("open");
    else menu.setAttribute("open", "");
  }
  fit();
  if (phone.addEventListener) phone.addEventListener("change", fit);
})();
