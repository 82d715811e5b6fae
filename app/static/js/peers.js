// Peer exchange: a print button on good-practice pages (the page prints fine without it).
(function () {
  document.querySelectorAll("[data-print]").forEach(function (link) {
    link.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
  });
})();
