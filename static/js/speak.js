// Linli: reading a notice, an alert, minutes, an activity or a request's progress aloud (朗读)
// with the browser's own voices, in the page's language. A button shows only where the browser
// has a voice for that language; everything can still be read without it.
(function () {
  "use strict";

  var synth = window.speechSynthesis;
  if (!synth || typeof window.SpeechSynthesisUtterance !== "function") return;

  var speaking = null; // the button whose text is being read

  function pageLanguage() {
    return (document.documentElement.lang || "zh-CN").toLowerCase();
  }

  // zh-Hans-CN matches a zh-CN (or any zh) voice, en matches en-GB.
  function voiceFor(lang) {
    var base = lang.split("-")[0];
    var voices = synth.getVoices() || [];
    var best = null;
    for (var i = 0; i < voices.length; i++) {
      var tag = (voices[i].lang || "").toLowerCase().replace("_", "-");
      if (tag.split("-")[0] !== base) continue;
      if (!best || tag === "zh-cn" || tag === lang) best = voices[i];
    }
    return best;
  }

  function textOf(button) {
    var parts = [];
    (button.getAttribute("data-speak") || "").split(/\s+/).forEach(function (id) {
      var element = id && document.getElementById(id);
      if (element) parts.push(element.innerText);
    });
    return parts.join("\n");
  }

  // Short pieces: some browsers stop a long utterance half way.
  function pieces(text) {
    return text.replace(/([。！？；!?;\n]|\.\s)/g, "$1\u0000").split("\u0000")
      .map(function (piece) { return piece.trim(); })
      .filter(function (piece) { return piece.length > 0; });
  }

  function label(button, reading) {
    if (!button.hasAttribute("data-speak-start")) {
      button.setAttribute("data-speak-start", button.textContent);
    }
    button.textContent = button.getAttribute(reading ? "data-speak-stop" : "data-speak-start");
  }

  function stop() {
    if (speaking) label(speaking, false);
    speaking = null;
    synth.cancel();
  }

  function start(button) {
    var voice = voiceFor(pageLanguage());
    var queue = pieces(textOf(button));
    if (!voice || !queue.length) return;
    speaking = button;
    label(button, true);
    queue.forEach(function (piece, index) {
      var utterance = new SpeechSynthesisUtterance(piece);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9;
      if (index === queue.length - 1) {
        utterance.onend = function () { if (speaking === button) stop(); };
      }
      synth.speak(utterance);
    });
  }

  function reveal() {
    var ready = Boolean(voiceFor(pageLanguage()));
    document.querySelectorAll("button[data-speak]").forEach(function (button) {
      button.hidden = !ready;
    });
    // A page swapped in by htmx took the text being read with it.
    if (speaking && !document.contains(speaking)) stop();
  }

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element && event.target.closest("button[data-speak]");
    if (!button) return;
    var again = speaking === button;
    stop();
    if (!again) start(button);
  });
  document.addEventListener("DOMContentLoaded", reveal);
  document.addEventListener("htmx:after:settle", reveal);
  window.addEventListener("pagehide", stop);
  // Voices often arrive after the page has loaded.
  if (typeof synth.addEventListener === "function") {
    synth.addEventListener("voiceschanged", reveal);
  }
})();
