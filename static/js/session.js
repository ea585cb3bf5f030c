// Linli: before a sign-in ends on an open page, say so in good time and offer 继续使用, which
// starts the sign-in again (POST /auth/continue). Without JavaScript nothing here shows, and a
// form sent after the end is kept for the person (portal/keptforms). No timer dismisses itself.
(function () {
  "use strict";

  var MAX_DELAY = 2147483647; // setTimeout's limit (about 24.8 days)
  var box = null, endsAt = 0, warnMs = 0, timer = null;

  function panel() { return box.querySelector(".sign-in-warning"); }

  function show(over) {
    var warning = panel();
    warning.querySelector(".sign-in-soon").hidden = over;
    warning.querySelector(".sign-in-over").hidden = !over;
    warning.querySelector("form").hidden = over;
    if (warning.hidden) {
      warning.hidden = false;
      // The alert is read out; focus moves only when it would not cut into typing.
      var active = document.activeElement;
      var button = warning.querySelector("button");
      if (button && !over && (!active || active === document.body)) {
        button.focus({ preventScroll: true });
      }
    }
  }

  function check() {
    clearTimeout(timer);
    var left = endsAt - Date.now();
    if (left <= 0) return show(true);
    if (left <= warnMs) {
      show(false);
      timer = setTimeout(check, Math.min(left, MAX_DELAY));
      return;
    }
    timer = setTimeout(check, Math.min(left - warnMs, MAX_DELAY));
  }

  function start(remainingSeconds) {
    endsAt = Date.now() + remainingSeconds * 1000;
    check();
  }

  function carryOn(event) {
    event.preventDefault();
    var form = event.target;
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error("status " + response.status);
      return response.json();
    }).then(function (answer) {
      box.querySelector(".sign-in-ends").textContent = answer.ends;
      panel().hidden = true;
      box.dataset.remaining = String(answer.remaining);
      start(answer.remaining);
    }).catch(function () {
      form.submit(); // the plain form: it signs in again or says why
    }).finally(function () {
      button.disabled = false;
    });
  }

  function init() {
    box = document.querySelector(".sign-in-timer");
    if (!box || box.dataset.started) return;
    box.dataset.started = "1";
    warnMs = Number(box.dataset.warn) * 1000;
    box.querySelector("form").addEventListener("submit", carryOn);
    start(Number(box.dataset.remaining));
  }

  // A phone asleep stops timers: look again when the page is seen.
  document.addEventListener("visibilitychange", function () {
    if (box && document.visibilityState === "visible") check();
  });
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:after:settle", init);
})();
