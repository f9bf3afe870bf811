// Agent desk: canned replies fill the reply box; the queue's auto-refresh waits while claims are selected;
// keyboard shortcuts (? help, queue j/k/Enter, claim r/n/a) that never fire while typing in a field.
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
    // Never replace the timeline while the agent is selecting text in it.
    if (target && target.id === "timeline-live") {
      var selection = window.getSelection();
      if (selection && !selection.isCollapsed && target.contains(selection.anchorNode)) event.preventDefault();
    }
  });

  function typing(el) {
    if (!(el instanceof HTMLElement)) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function help() {
    var dialog = document.getElementById("shortcut-help");
    if (dialog && typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof Element && target.closest("[data-shortcut-help]")) help();
  });

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue-rows tr[data-reference]"));
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var current = document.querySelector("#queue-rows tr.is-current");
    var index = list.indexOf(current);
    index = index < 0 ? (step > 0 ? 0 : list.length - 1) : Math.max(0, Math.min(list.length - 1, index + step));
    if (current) current.classList.remove("is-current");
    var row = list[index];
    row.classList.add("is-current");
    var link = row.querySelector("a[href]");
    if (link) link.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function focusField(selector, details) {
    var el = document.querySelector(selector);
    if (!el) return;
    if (details) {
      var d = document.getElementById(details);
      if (d) d.open = true;
    }
    el.scrollIntoView({ block: "center" });
    el.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var dialog = document.getElementById("shortcut-help");
    if (dialog && dialog.open) return;
    var key = event.key;
    if (key === "?") { event.preventDefault(); help(); return; }
    if (key === "j") { event.preventDefault(); move(1); return; }
    if (key === "k") { event.preventDefault(); move(-1); return; }
    if (key === "r" && document.getElementById("id_body")) { event.preventDefault(); focusField("#id_body"); return; }
    if (key === "n" && document.getElementById("note_body")) { event.preventDefault(); focusField("#note_body", "note-details"); return; }
    if (key === "a") {
      var form = document.querySelector("form[data-shortcut-form=assign]");
      if (form instanceof HTMLFormElement) { event.preventDefault(); form.requestSubmit(); }
    }
  });
})();
