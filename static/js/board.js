// Linli lobby board: polls /board/content with If-None-Match, keeps the last content when a
// poll fails (with an "offline since" mark and retries that back off), pages through content
// that doesn't fit, and keeps the clock. Every listener and timer is set up once; content
// is replaced, never appended, so a screen can run for weeks.
(function () {
  "use strict";

  var main = document.getElementById("board-content");
  if (!main) return;

  var lang = document.documentElement.lang || "zh-Hans-CN";
  var zone = "Asia/Shanghai";
  var dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: "full", timeZone: zone });
  var timeFormat = new Intl.DateTimeFormat(lang, {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone });
  var pollMs = seconds(main.dataset.pollSeconds, 30);
  var pageMs = seconds(main.dataset.pageSeconds, 15);
  var retryMaxMs = Math.max(pollMs, seconds(main.dataset.retryMaxSeconds, 300));
  var etag = main.dataset.etag ? 'W/"' + main.dataset.etag + '"' : null;
  var failures = 0;
  var pollTimer = null;
  var pageTimer = null;
  var pages = [];
  var pageIndex = 0;

  function seconds(value, fallback) {
    var number = parseFloat(value);
    return (number > 0 ? number : fallback) * 1000;
  }

  function find(name) {
    return document.querySelector("[data-board-" + name + "]");
  }

  // --- clock ------------------------------------------------------------------------------
  function tick() {
    var now = new Date();
    find("date").textContent = dateFormat.format(now);
    find("time").textContent = timeFormat.format(now);
  }

  // --- polling ----------------------------------------------------------------------------
  function schedulePoll(delay) {
    window.clearTimeout(pollTimer);
    pollTimer = window.setTimeout(function () { htmx.trigger(main, "boardpoll"); }, delay);
  }

  function retryDelay() {
    // Doubles with each failure, up to the limit, with some jitter so that a hundred
    // screens don't all come back at the same instant after a restart.
    var delay = Math.min(pollMs * Math.pow(2, failures - 1), retryMaxMs);
    return delay * (0.8 + Math.random() * 0.4);
  }

  function ours(event) {
    return event.detail && event.detail.ctx && event.detail.ctx.sourceElement === main;
  }

  document.addEventListener("htmx:config:request", function (event) {
    if (!ours(event)) return;
    var request = event.detail.ctx.request;
    // Our own If-None-Match makes fetch hand us the 304 itself (htmx then doesn't swap),
    // instead of the browser cache turning it into a 200 with the same content again.
    if (etag) request.headers["If-None-Match"] = etag;
    request.cache = "no-store";
    request.timeout = 15000;  // a hung server counts as a failed poll after 15 s
  });

  document.addEventListener("htmx:after:request", function (event) {
    if (!ours(event)) return;
    var response = event.detail.ctx.response;
    if (response && response.status === 200) {
      etag = response.headers.get("ETag") || etag;
      // A deploy changed the board itself: load the new page rather than mix old and new.
      var version = response.headers.get("X-Board-Version");
      if (version && version !== main.dataset.boardVersion) window.location.reload();
    }
  });

  document.addEventListener("htmx:finally:request", function (event) {
    if (!ours(event)) return;
    var ctx = event.detail.ctx;
    var status = ctx.response ? ctx.response.status : 0;
    var ok = (status === 200 || status === 304) && String(ctx.status).indexOf("error") !== 0;
    if (ok) {
      failures = 0;
      find("updated").textContent = timeFormat.format(new Date());
      find("offline").hidden = true;
      schedulePoll(pollMs);
    } else {
      failures += 1;
      if (failures === 1) {
        find("offline-since").textContent = timeFormat.format(new Date());
        find("offline").hidden = false;
      }
      schedulePoll(retryDelay());
    }
  });

  document.addEventListener("htmx:after:swap", function (event) {
    // htmx fires this for a 304 or a failed poll too, with nothing swapped: keep paging then.
    var response = ours(event) && event.detail.ctx.response;
    if (response && response.status === 200) paginate();
  });

  // --- paging -----------------------------------------------------------------------------
  // The units of a page are a section's .board-item elements, or the whole section when it
  // has none. Sections show their title on every page where any of their units appear.
  function units(container) {
    var list = [];
    container.querySelectorAll(".board-section").forEach(function (section) {
      var items = section.querySelectorAll(".board-item");
      if (items.length) {
        items.forEach(function (item) { list.push(item); });
      } else {
        list.push(section);
      }
    });
    return list;
  }

  function sectionOf(unit) {
    return unit.closest(".board-section");
  }

  function fits(container) {
    return container.scrollHeight <= container.clientHeight + 1 &&
      container.scrollWidth <= container.clientWidth + 1;
  }

  function show(list, visible) {
    list.forEach(function (unit) {
      unit.hidden = !visible;
      sectionOf(unit).hidden = !visible;
    });
  }

  function showPage(index) {
    var all = pages.reduce(function (sum, page) { return sum.concat(page); }, []);
    show(all, false);
    show(pages[index], true);
    pageIndex = index;
    find("page").textContent = String(index + 1);
  }

  function paginate() {
    window.clearInterval(pageTimer);
    var container = main.querySelector("[data-board-pages]");
    var all = container ? units(container) : [];
    show(all, true);
    pages = [all];
    if (all.length && !fits(container)) {
      pages = [];
      show(all, false);
      var current = [];
      all.forEach(function (unit) {
        show([unit], true);
        if (current.length && !fits(container)) {
          show(current.concat([unit]), false);
          pages.push(current);
          current = [];
          show([unit], true);
        }
        current.push(unit);
      });
      pages.push(current);
    }
    find("page-count").textContent = String(pages.length);
    find("pager").hidden = pages.length < 2;
    if (pages.length > 1) {
      showPage(0);
      pageTimer = window.setInterval(function () {
        showPage((pageIndex + 1) % pages.length);
      }, pageMs);
    }
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(paginate, 300);
  });

  tick();
  window.setInterval(tick, 10000);
  paginate();
  schedulePoll(pollMs);
})();
