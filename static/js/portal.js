// Linli: the little JavaScript we need on top of htmx. Everything works without it.
(function () {
  "use strict";

  // Move focus to an error summary so screen readers and keyboards land on what to fix.
  function focusErrors(root) {
    var summary = (root || document).querySelector("[data-focus-on-load]");
    if (summary) {
      summary.focus();
    }
  }

  // Stop a second click on a submit button from sending the same form twice.
  function guardDoubleSubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.dataset.submitting === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    window.setTimeout(function () { delete form.dataset.submitting; }, 4000);
  }

  // htmx requests carry the CSRF token in a header. It is read from the page at request time:
  // a boosted navigation replaces the body's content, so the token is always the current one.
  function addCsrfHeader(event) {
    var field = document.querySelector('input[name="csrf_token"]');
    if (field && event.detail && event.detail.ctx) {
      event.detail.ctx.request.headers["X-CSRFToken"] = field.value;
    }
  }

  // A "select all" box ([data-select-all="refs"]) ticks or clears every "refs" box of its
  // form; ticking rows one by one keeps it in step. Without JavaScript the server reads the
  // box itself as "every request on the page".
  function selectAll(event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox" || !box.form) {
      return;
    }
    var name = box.dataset.selectAll || box.name;
    var all = box.form.querySelector('[data-select-all="' + name + '"]');
    var rows = box.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
    if (!all) {
      return;
    }
    if (box === all) {
      rows.forEach(function (row) { row.checked = all.checked; });
      return;
    }
    var ticked = Array.prototype.filter.call(rows, function (row) { return row.checked; });
    all.checked = ticked.length === rows.length;
    all.indeterminate = ticked.length > 0 && ticked.length < rows.length;
  }

  document.addEventListener("DOMContentLoaded", function () { focusErrors(document); });
  document.addEventListener("change", selectAll);
  document.addEventListener("htmx:config:request", addCsrfHeader);
  document.addEventListener("htmx:after:settle", function (event) {
    focusErrors(event.target instanceof Element ? event.target : document);
  });
  document.addEventListener("submit", guardDoubleSubmit, true);
})();
