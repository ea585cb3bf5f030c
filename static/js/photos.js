// Linli: shrink photos in the browser before they are sent. A 13 MB phone photo goes up as
// about 1 MB: quicker on a slow connection and under every size limit. The server fits photos
// to 2560 px anyway, so nothing is lost. If anything here fails, the original is sent.
(function () {
  "use strict";

  var MAX_SIDE = 2560;
  var QUALITY = 0.85;
  var SMALL_ENOUGH = 1024 * 1024; // a photo this small and within MAX_SIDE is sent as it is
  var TYPES = /^image\/(jpeg|png|webp|heic|heif)$/;
  var pending = new WeakMap(); // input -> the promise of its shrinking
  var shrunk = new WeakSet(); // forms whose photos are ready: let their submit through

  function isPhoto(file) {
    return TYPES.test(file.type) || /\.(heic|heif)$/i.test(file.name);
  }

  function toBlob(canvas) {
    return new Promise(function (resolve, reject) {
      canvas.toBlob(function (blob) {
        if (blob) resolve(blob); else reject(new Error("not encoded"));
      }, "image/jpeg", QUALITY);
    });
  }

  // One photo: upright (EXIF orientation applied), at most MAX_SIDE, as JPEG; or the file
  // itself when it is small already, can't be decoded here (HEIC on most browsers), or the
  // result would not be smaller.
  function shrink(file) {
    if (!isPhoto(file) || !window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size <= SMALL_ENOUGH) {
        bitmap.close();
        return file;
      }
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff"; // JPEG has no transparency: white behind a PNG's
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.imageSmoothingQuality = "high";
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return toBlob(canvas).then(function (blob) {
        canvas.width = canvas.height = 0; // hand the pixels back now, on a small phone
        if (blob.size >= file.size) return file;
        var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
        return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified });
      });
    }).catch(function () { return file; });
  }

  // Replace the input's files with the shrunk ones, one photo at a time (a cheap phone has
  // room for one decoded photo, not three).
  function shrinkInput(input) {
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length || !files.some(isPhoto) || !window.DataTransfer) {
      return Promise.resolve();
    }
    var chosen = input.files;
    var result = [];
    var chain = Promise.resolve();
    files.forEach(function (file) {
      chain = chain.then(function () { return shrink(file); })
        .then(function (smaller) { result.push(smaller); });
    });
    return chain.then(function () {
      if (input.files !== chosen) return; // chosen again meanwhile: that choice wins
      if (result.every(function (file, i) { return file === files[i]; })) return;
      var transfer = new DataTransfer();
      result.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
    }).catch(function () { /* the originals stay in the input */ });
  }

  function start(input) {
    var job = shrinkInput(input);
    pending.set(input, job);
    job.then(function () {
      if (pending.get(input) === job) pending.delete(input);
    });
    return job;
  }

  function fileInputs(form) {
    return Array.prototype.filter.call(form.querySelectorAll('input[type="file"]'),
      function (input) { return !input.hasAttribute("data-keep-original"); });
  }

  // Shrinking starts as soon as photos are chosen, so it is usually done before "Send".
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.type === "file" &&
        !input.hasAttribute("data-keep-original")) {
      start(input);
    }
  }, true);

  // A submit while photos are still being shrunk waits for them, then goes on as it would
  // have (a plain post or htmx's boosted one). On window and in the capture phase: before
  // the double-submit guard and htmx see this first submit.
  window.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (shrunk.has(form)) {
      shrunk.delete(form);
      return;
    }
    var jobs = fileInputs(form).map(function (input) { return pending.get(input); })
      .filter(Boolean);
    if (!jobs.length) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter || null;
    var status = form.querySelector("[data-shrinking-status]");
    if (status) status.hidden = false;
    form.setAttribute("aria-busy", "true");
    Promise.all(jobs).then(function () {
      if (status) status.hidden = true;
      form.removeAttribute("aria-busy");
      shrunk.add(form);
      if (form.requestSubmit) {
        form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      } else {
        shrunk.delete(form); // form.submit() fires no submit event to clear it
        form.submit();
      }
    });
  }, true);
})();
