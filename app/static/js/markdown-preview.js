// Markdown preview: [data-markdown-preview="<textarea id>"] holds a button that sends the text (with the
// form's CSRF token) to data-url and shows the server's rendered, sanitised HTML below the field.
// Without this script the block stays hidden and the form works as before.
(function () {
  document.querySelectorAll("[data-markdown-preview]").forEach(function (tools) {
    var textarea = document.getElementById(tools.getAttribute("data-markdown-preview"));
    var button = tools.querySelector("button");
    var output = tools.querySelector("section");
    var error = tools.querySelector("[role=alert]");
    if (!textarea || !button || !output) { return; }
    var form = textarea.form;
    var token = form && form.querySelector("input[name=csrf_token]");
    var showLabel = button.textContent;
    tools.hidden = false;
    button.addEventListener("click", function () {
      error.hidden = true;
      var body = new URLSearchParams();
      body.set("text", textarea.value);
      if (token) { body.set("csrf_token", token.value); }
      button.disabled = true;
      fetch(tools.getAttribute("data-url"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        return (json ? response.json() : Promise.resolve({}))
          .then(function (data) { return { ok: response.ok && json, data: data }; });
      }).then(function (result) {
        if (!result.ok) { throw { shown: (result.data.error && result.data.error.message) || "" }; }
        button.disabled = false;
        output.innerHTML = result.data.html;  // rendered and sanitised by the server (app/core/markdown.py)
        output.hidden = false;
        button.setAttribute("aria-expanded", "true");
        output.focus();
      }).catch(function (problem) {
        error.textContent = (problem && problem.shown) || tools.getAttribute("data-error");
        error.hidden = false;
      }).then(function () {
        button.disabled = false;
        button.textContent = showLabel;
      });
    });
    // An edit after a preview makes the preview stale: hide it until asked again.
    textarea.addEventListener("input", function () {
      if (!output.hidden) { output.hidden = true; button.setAttribute("aria-expanded", "false"); }
    });
  });
})();
