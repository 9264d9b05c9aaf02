/* 督办台: "select all on this page" for the batch decision, and the count of selected items.
 *
 *   <input type="checkbox" data-check-all="ids">   checks or clears every checkbox named "ids" in its form
 *   <b data-selected-count="ids">0</b>            shows how many of them are checked
 * Listeners sit on the document, so rows htmx swaps in after a filter change behave the same.
 */
(function () {
  "use strict";

  function refresh(form, name) {
    const boxes = form.querySelectorAll('input[type=checkbox][name="' + name + '"]');
    let checked = 0;
    boxes.forEach(function (box) { if (box.checked) { checked += 1; } });
    form.querySelectorAll('[data-selected-count="' + name + '"]').forEach(function (el) {
      el.textContent = String(checked);
    });
    form.querySelectorAll('[data-check-all="' + name + '"]').forEach(function (all) {
      all.checked = boxes.length > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    });
  }

  document.addEventListener("change", function (event) {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox" || !box.form) { return; }
    const all = box.dataset.checkAll;
    if (all !== undefined) {
      box.form.querySelectorAll('input[type=checkbox][name="' + all + '"]').forEach(function (other) {
        other.checked = box.checked;
      });
      refresh(box.form, all);
    } else if (box.name && box.form.querySelector('[data-check-all="' + box.name + '"]')) {
      refresh(box.form, box.name);
    }
  });
})();
