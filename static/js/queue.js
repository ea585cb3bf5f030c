// Linli: the staff queue on a desktop. Everything here is a shortcut for what works without
// it: a row's link opens the request's page, the template picker's button reloads it with
// the text in the reply box.
//  - j / k: next / previous row; o or Enter: open it in the side panel; c: take it; r: reply
//    (Ctrl+Enter in the reply box sends it; Esc goes back to the list);
//  - a template chosen in the picker goes straight into the reply box;
//  - after an action in the side panel, the list is read again (the row moves on).
(function () {
  "use strict";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue tr[data-row]"));
  }

  function currentIndex(list) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].classList.contains("current")) return i;
    }
    return -1;
  }

  var place = -1; // the current row's place in the list, kept when the list is read again

  function select(list, index) {
    if (!list.length) return null;
    index = Math.max(0, Math.min(list.length - 1, index));
    place = index;
    list.forEach(function (row) { row.classList.remove("current"); });
    var row = list[index];
    row.classList.add("current");
    var link = row.querySelector("[data-open]");
    if (link) link.focus({ preventScroll: false });
    return row;
  }

  function currentRow() {
    var list = rows();
    var index = currentIndex(list);
    return index < 0 ? select(list, 0) : list[index];
  }

  // What c or r asked for while its request was still loading into the panel, and which
  // request is loading: a key acts only on the request the panel really shows.
  var pending = null;
  var loading = null;

  function panelRef() {
    var title = document.querySelector("#side-panel .panel-title");
    return title ? title.dataset.ref : null;
  }

  function open(row, then) {
    var link = row && row.querySelector("[data-open]");
    if (!link) return;
    var ref = link.textContent.trim();
    if (panelRef() === ref) {
      if (then) then();
      return;
    }
    pending = then ? { ref: ref, run: then } : null;
    if (loading !== ref) link.click();
  }

  function inPanel(selector) {
    return document.querySelector("#side-panel " + selector);
  }

  function claim() {
    var button = inPanel('[data-shortcut="c"]');
    if (button) button.click();
  }

  function reply() {
    var box = inPanel('[data-shortcut="r"]');
    if (box) box.focus();
  }

  function typing(target) {
    return target && (target.isContentEditable ||
      /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (!document.querySelector("[data-shortcuts]")) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) &&
        event.target.matches && event.target.matches("#side-panel textarea")) {
      var send = event.target.form && event.target.form.querySelector("[data-send]");
      if (send) { event.preventDefault(); send.click(); }
      return;
    }
    if (event.key === "Escape" && event.target.closest && event.target.closest("#side-panel")) {
      var back = currentRow();
      if (back) { event.preventDefault(); back.querySelector("[data-open]").focus(); }
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    var list = rows();
    if (!list.length) return;
    var key = event.key;
    if (key === "j" || key === "k") {
      event.preventDefault();
      var index = currentIndex(list);
      select(list, index < 0 ? 0 : index + (key === "j" ? 1 : -1));
    } else if (key === "o") {
      event.preventDefault();
      open(currentRow());
    } else if (key === "c") {
      event.preventDefault();
      open(currentRow(), claim);
    } else if (key === "r") {
      event.preventDefault();
      open(currentRow(), reply);
    }
  });

  // A click on a row's link (or Enter on it) makes it the current row, and says which
  // request is loading into the panel.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#queue [data-open]");
    if (!link) return;
    var list = rows();
    var row = link.closest("tr");
    list.forEach(function (each) { each.classList.toggle("current", each === row); });
    place = list.indexOf(row);
    loading = link.textContent.trim();
  });

  document.addEventListener("change", function (event) {
    var picker = event.target;
    if (!picker.matches || !picker.matches("[data-template-picker]")) return;
    var option = picker.options[picker.selectedIndex];
    var box = document.getElementById(picker.dataset.fills);
    if (!box || !option || !option.value) return;
    box.value = option.dataset.body || "";
    box.focus();
  });

  function showEnhancements(root) {
    (root || document).querySelectorAll("[data-without-js]").forEach(function (element) {
      element.hidden = true;
    });
    var legend = document.querySelector("[data-shortcuts]");
    if (legend && window.matchMedia("(pointer: fine)").matches) legend.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () { showEnhancements(document); });

  document.addEventListener("htmx:after:settle", function (event) {
    var target = event.target instanceof Element ? event.target : document;
    showEnhancements(target);
    var panel = document.getElementById("side-panel");
    if (!panel || !panel.contains(target)) return;
    if (target === panel) {
      // The request just opened: focus it, then do what the key asked for.
      loading = null;
      var heading = panel.querySelector(".panel-title");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      var then = pending;
      pending = null;
      // after htmx has wired up the new forms, or a click would send one as a plain page
      if (then && then.ref === panelRef()) window.setTimeout(then.run, 0);
      return;
    }
    // An action inside the panel: read the list again, keep the place in it.
    var queue = document.getElementById("queue");
    if (queue && window.htmx) {
      window.htmx.ajax("GET", window.location.href, { target: "#queue", swap: "outerHTML" })
        .then(function () {
          var list = rows();
          if (place >= 0 && list.length) {
            place = Math.min(place, list.length - 1);
            list.forEach(function (row, index) { row.classList.toggle("current", index === place); });
          }
        });
    }
  });
})();
