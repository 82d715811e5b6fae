// Training pages: a print button for the sign-in list.
(function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
// "Mark all present": ticks every box of the list (without JavaScript, the link reloads it ticked).
(function () {
  document.querySelectorAll("[data-check-all]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var prefix = link.getAttribute("data-check-all");
      document.querySelectorAll('input[type="checkbox"][name^="' + prefix + '"]').forEach(function (box) {
        if (!box.disabled) { box.checked = true; }
      });
    });
  });
})();
