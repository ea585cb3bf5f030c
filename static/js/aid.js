// Aid: "Print the receipt" opens the print dialog; without JavaScript the link still shows it.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (!link) return;
    event.preventDefault();
    window.print();
  });
})();
