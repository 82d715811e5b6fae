// Small progressive enhancements; every page works without them.
(function () {
  document.documentElement.classList.add("js");
  // Remember the browser's time zone so visitors see times in their own zone.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=") === -1) {
      document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* old browser: the server default applies */ }
  // Selects marked data-autosubmit send their form on change (the language switcher).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // Forms marked data-confirm ask before sending (cancel, revoke, delete).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // A table wider than the screen scrolls in its own box: keyboard users reach it (Tab, then arrows),
  // and screen readers hear what it holds (its caption, or the heading of its section).
  function labelScrollers() {
    document.querySelectorAll(".table-responsive, [data-scrolls]").forEach(function (box) {
      if (box.scrollWidth <= box.clientWidth + 1 || box.hasAttribute("tabindex")) { return; }
      box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("role")) { box.setAttribute("role", "region"); }
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
        var caption = box.querySelector("caption");
        var section = box.closest("section, article");
        var heading = section && section.querySelector("h1, h2, h3");
        var text = (caption || heading || { textContent: "" }).textContent.trim();
        if (text) { box.setAttribute("aria-label", text); }
      }
    });
  }
  // Buttons marked data-copy put the text of the field they name on the clipboard and say so.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector('[data-copied-for="' + button.getAttribute("data-copy") + '"]');
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      function done() { if (status) { status.textContent = status.getAttribute("data-copied-text"); } }
      function fallback() {
        field.focus();
        field.select();
        try { if (document.execCommand("copy")) { done(); } } catch (e) { /* the text stays selected */ }
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, fallback);
      } else {
        fallback();
      }
    });
  });
  labelScrollers();
  window.addEventListener("resize", labelScrollers);
})();
