/* Live sums of the emission inventory template: row, column and grand totals (MWh) as people type.
   Without JavaScript the form still saves; the server computes everything again. */
(function () {
  "use strict";
  var table = document.getElementById("inv-table");
  if (!table) { return; }
  var lang = document.documentElement.lang || "en";
  var fmt = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });

  function parse(text) {
    var value = (text || "").replace(/[\s\u00a0\u202f]/g, "");
    if (value === "") { return 0; }
    if (value.indexOf(",") >= 0 && value.indexOf(".") < 0) { value = value.replace(",", "."); }
    else if (value.indexOf(",") >= 0) { value = value.replace(/,/g, ""); }
    var number = Number(value);
    return isFinite(number) && number >= 0 ? number : NaN;
  }

  function show(output, total, bad) {
    output.textContent = bad ? "?" : (total ? fmt.format(total) : "—");
  }

  function update() {
    var rows = {}, cols = {}, grand = 0, badAny = false;
    table.querySelectorAll("tbody tr[data-sector]").forEach(function (tr) {
      var sector = tr.getAttribute("data-sector");
      rows[sector] = rows[sector] || { t: 0, bad: false };
      tr.querySelectorAll("td[data-carrier]").forEach(function (td) {
        var input = td.querySelector("input");
        if (!input) { return; }
        var carrier = td.getAttribute("data-carrier");
        cols[carrier] = cols[carrier] || { t: 0, bad: false };
        var n = parse(input.value);
        input.classList.toggle("is-invalid", isNaN(n));
        if (isNaN(n)) { rows[sector].bad = cols[carrier].bad = badAny = true; return; }
        rows[sector].t += n; cols[carrier].t += n; grand += n;
      });
    });
    table.querySelectorAll("[data-total-row]").forEach(function (o) {
      var r = rows[o.getAttribute("data-total-row")]; show(o, r ? r.t : 0, r && r.bad);
    });
    table.querySelectorAll("[data-total-col]").forEach(function (o) {
      var c = cols[o.getAttribute("data-total-col")]; show(o, c ? c.t : 0, c && c.bad);
    });
    show(document.getElementById("inv-grand-total"), grand, badAny);
  }

  table.addEventListener("input", update);
  update();
})();
