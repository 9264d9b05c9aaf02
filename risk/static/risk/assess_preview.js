/* Live grade while the LEC / LS assessment form is filled (risk/point_form.html, risk/point_detail.html):
 * D = L × E × C (or R = L × S), graded by every scheme that applies to the enterprise, the most severe grade
 * standing (从严从高), as risk.services.risk_point_assess will grade it on saving. The schemes, grade labels and
 * the words come from the json_script "risk-preview-data"; the result is written with textContent. */
(function () {
  "use strict";
  const source = document.getElementById("risk-preview-data");
  const out = document.querySelector("[data-risk-preview]");
  if (!source || !out) { return; }
  const data = JSON.parse(source.textContent);
  const form = out.closest("form");
  const rank = {blue: 0, yellow: 1, orange: 2, red: 3};

  function field(name) { return form.querySelector('[name$="-' + name + '"]'); }
  function number(name) {
    const el = field(name);
    const v = el ? parseFloat(el.value) : NaN;
    return isNaN(v) ? null : v;
  }
  function gradeOf(value, bands) {
    const above = function (t) { return bands.inclusive ? value >= t : value > t; };
    if (above(bands.red)) { return "red"; }
    if (above(bands.orange)) { return "orange"; }
    if (above(bands.yellow)) { return "yellow"; }
    return "blue";
  }
  function show(text, grade) {
    out.textContent = text;
    out.className = "badge fs-6 " + (grade ? "grade-" + grade : "text-bg-light border");
  }
  function update() {
    const method = field("method") ? field("method").value : "";
    const direct = field("direct_major");
    let value = null, letter = "D";
    if (method === "lec") {
      const l = number("lec_l"), e = number("lec_e"), c = number("lec_c");
      if (l !== null && e !== null && c !== null) { value = l * e * c; }
    } else if (method === "ls") {
      const l = number("ls_l"), s = number("ls_s");
      letter = "R";
      if (l !== null && s !== null) { value = l * s; }
    }
    if (direct && direct.checked) { show(data.words.direct, "red"); return; }
    const schemes = data.schemes[method] || [];
    if (value === null || !schemes.length) { show(data.words.pending, null); return; }
    let grade = "blue";
    schemes.forEach(function (bands) {
      const g = gradeOf(value, bands);
      if (rank[g] > rank[grade]) { grade = g; }
    });
    const shown = Math.round(value * 100) / 100;
    show(letter + " = " + shown + " → " + data.grades[grade], grade);
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
