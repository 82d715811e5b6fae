// Searchable multi-select: a progressive enhancement of <select multiple data-multiselect>.
// Without this script the native select still works. With it, the select is hidden and stays the form's
// value; people see a filter field, the chosen options as chips (each with a remove button) and a list
// of checkboxes, usable with a keyboard (arrows move between the filter and the checkboxes, Space
// toggles, Escape clears the filter) and on phones (large, tappable rows; no Ctrl-click).
// Texts come from the script tag's data attributes (translated by the template _multiselect.html).
(function () {
  var script = document.currentScript;
  var texts = {
    filter: (script && script.getAttribute("data-filter")) || "Type to filter",
    remove: (script && script.getAttribute("data-remove")) || "Remove __NAME__",
    none: (script && script.getAttribute("data-none")) || "No match.",
    chosen: (script && script.getAttribute("data-chosen")) || "Chosen"
  };
  var counter = 0;

  function normalise(text) {
    // Case and accents do not matter: "energie" finds "Énergie".
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function enhance(select) {
    if (select.getAttribute("data-multiselect-ready")) { return; }
    select.setAttribute("data-multiselect-ready", "1");
    counter += 1;
    var base = (select.id || "multiselect-" + counter) + "-ms";
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    if (label && !label.id) { label.id = base + "-label"; }

    var box = document.createElement("div");
    box.className = "multiselect" + (select.classList.contains("is-invalid") ? " is-invalid" : "");

    var chips = document.createElement("ul");
    chips.className = "multiselect-chips list-unstyled";
    chips.setAttribute("aria-label", texts.chosen);

    var filter = document.createElement("input");
    filter.type = "search";
    filter.id = base + "-filter";
    filter.className = "form-control form-control-sm multiselect-filter";
    filter.placeholder = texts.filter;
    filter.setAttribute("autocomplete", "off");
    filter.setAttribute("aria-controls", base + "-list");
    var described = select.getAttribute("aria-describedby");
    if (described) { filter.setAttribute("aria-describedby", described); }
    if (select.getAttribute("aria-invalid")) { filter.setAttribute("aria-invalid", "true"); }

    var list = document.createElement("div");
    list.id = base + "-list";
    list.className = "multiselect-list";
    list.setAttribute("role", "group");
    if (label) { list.setAttribute("aria-labelledby", label.id); }

    var empty = document.createElement("p");
    empty.className = "multiselect-empty small text-body-secondary mb-0";
    empty.textContent = texts.none;
    empty.hidden = true;
    empty.setAttribute("role", "status");

    var rows = [];
    Array.prototype.forEach.call(select.options, function (option, index) {
      if (!option.value && !option.textContent.trim()) { return; }
      var row = document.createElement("div");
      row.className = "form-check multiselect-option";
      var box_ = document.createElement("input");
      box_.type = "checkbox";
      box_.className = "form-check-input";
      box_.id = base + "-" + index;
      box_.checked = option.selected;
      box_.disabled = option.disabled;
      var text = document.createElement("label");
      text.className = "form-check-label";
      text.htmlFor = box_.id;
      text.textContent = option.textContent;
      row.appendChild(box_);
      row.appendChild(text);
      list.appendChild(row);
      box_.addEventListener("change", function () {
        option.selected = box_.checked;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        drawChips();
      });
      rows.push({ row: row, box: box_, option: option, key: normalise(option.textContent) });
    });
    list.appendChild(empty);

    function visibleBoxes() {
      return rows.filter(function (r) { return !r.row.hidden && !r.box.disabled; })
        .map(function (r) { return r.box; });
    }

    function drawChips() {
      chips.textContent = "";
      rows.forEach(function (r) {
        if (!r.option.selected) { return; }
        var item = document.createElement("li");
        item.className = "multiselect-chip";
        var name = document.createElement("span");
        name.textContent = r.option.textContent;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn-close btn-close-sm";
        remove.setAttribute("aria-label", texts.remove.replace("__NAME__", r.option.textContent));
        remove.addEventListener("click", function () {
          r.option.selected = false;
          r.box.checked = false;
          select.dispatchEvent(new Event("change", { bubbles: true }));
          drawChips();
          filter.focus();
        });
        item.appendChild(name);
        item.appendChild(remove);
        chips.appendChild(item);
      });
      chips.hidden = !chips.children.length;
    }

    filter.addEventListener("input", function () {
      var words = normalise(filter.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (r) {
        var match = words.every(function (w) { return r.key.indexOf(w) !== -1; });
        r.row.hidden = !match;
        if (match) { shown += 1; }
      });
      empty.hidden = shown > 0;
    });
    filter.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        var boxes = visibleBoxes();
        if (boxes.length) { event.preventDefault(); boxes[0].focus(); }
      } else if (event.key === "Escape" && filter.value) {
        event.preventDefault();
        filter.value = "";
        filter.dispatchEvent(new Event("input"));
      } else if (event.key === "Enter") {
        // Enter in the filter ticks the only match instead of sending the form.
        event.preventDefault();
        var matches = visibleBoxes();
        if (matches.length === 1) { matches[0].click(); }
      }
    });
    list.addEventListener("keydown", function (event) {
      if (event.target.type !== "checkbox") { return; }
      var boxes = visibleBoxes();
      var at = boxes.indexOf(event.target);
      if (event.key === "ArrowDown" && at < boxes.length - 1) {
        event.preventDefault(); boxes[at + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault(); (at > 0 ? boxes[at - 1] : filter).focus();
      } else if (event.key === "Escape") {
        event.preventDefault(); filter.focus();
      }
    });

    box.appendChild(chips);
    box.appendChild(filter);
    box.appendChild(list);
    select.parentNode.insertBefore(box, select.nextSibling);
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    if (label) { label.htmlFor = filter.id; }
    drawChips();
  }

  document.querySelectorAll("select[multiple][data-multiselect]").forEach(enhance);
})();
