// The claim form adapts to the problem type and platform: it shows the fields, evidence hint and
// platform rule that apply. Without JavaScript every part stays visible and the form still works.
(function () {
  "use strict";
  var form = document.getElementById("claim-form");
  if (!form) return;
  var platform = form.querySelector("[name=platform]");
  var problem = form.querySelector("[name=problem_type]");
  // Problem type ids -> slugs, from the option labels' data (rendered by the server as data-slug).
  function slug() {
    var option = problem && problem.selectedOptions[0];
    return option ? option.getAttribute("data-slug") || "" : "";
  }
  function update() {
    var currentSlug = slug();
    form.querySelectorAll("[data-show-for]").forEach(function (el) {
      if (el.tagName === "INPUT") return;
      var wanted = el.getAttribute("data-show-for").split(" ");
      el.hidden = wanted.indexOf(currentSlug) === -1;
    });
    // A lost account needs no order: the order step stays (optional) but folds away.
    form.querySelectorAll("[data-hide-for]").forEach(function (el) {
      var unwanted = el.getAttribute("data-hide-for").split(" ");
      el.classList.toggle("optional-step", unwanted.indexOf(currentSlug) !== -1);
    });
    var specific = false;
    form.querySelectorAll("[data-hint-for]").forEach(function (el) {
      var match = el.getAttribute("data-hint-for") === currentSlug;
      el.hidden = !match;
      specific = specific || match;
    });
    var general = form.querySelector(".evidence-hint");
    if (general) general.hidden = specific;
    var typeId = problem ? problem.value : "";
    var platformId = platform ? platform.value : "";
    var best = null;
    form.querySelectorAll("[data-rule-platform]").forEach(function (el) {
      el.hidden = true;
      if (el.getAttribute("data-rule-platform") !== platformId) return;
      var forType = el.getAttribute("data-rule-type");
      if (forType === typeId) best = el;
      else if (forType === "" && (!best || best.getAttribute("data-rule-type") !== typeId)) best = best || el;
    });
    if (best) best.hidden = false;
  }
  // No stale errors: once a field with an error is changed, its message and mark go.
  form.addEventListener("input", function (event) {
    var field = event.target instanceof Element ? event.target.closest(".field.has-error") : null;
    if (!field) return;
    field.classList.remove("has-error");
    field.querySelectorAll(".field-error").forEach(function (el) { el.hidden = true; });
  });
  form.addEventListener("change", function (event) {
    if (event.target === platform || event.target === problem) update();
  });
  update();
})();
