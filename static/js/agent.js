// Agent workspace: canned replies fill the reply box; the queue's auto-refresh waits while claims are selected.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-macro-select")) return;
    var form = select.form;
    if (!form) return;
    var option = select.options[select.selectedIndex];
    var body = form.querySelector("textarea[name=body]");
    var macro = form.querySelector("input[name=macro]");
    if (body && option && option.dataset.body) body.value = option.dataset.body;
    if (macro) macro.value = select.value;
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail && event.detail.elt;
    if (target && target.id === "queue-rows" && document.querySelector("#queue-rows input[type=checkbox]:checked")) {
      event.preventDefault();
    }
  });
})();
