/* anzhi's site-wide behaviours.
 *
 * Templates hold no script and no inline event handler (the Content-Security-Policy allows scripts only
 * from this site's static files): they mark elements with data- attributes, and the listeners below,
 * attached once to the document, give them their behaviour — also for HTML that htmx swaps in later.
 *
 *   data-confirm="question"   on a button or link: ask before going on; on a form: ask before submitting
 *   data-print                print the page
 *   data-history-back         go back in the browser's history (the href is the fallback without history)
 *   data-autosubmit           on a select: submit its form when the choice changes
 *   table.table-cards         a list that turns into cards on a phone: each cell gets data-label, its
 *                             column's heading, which anzhi.css shows before the value on small screens
 */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    const asking = target.closest("[data-confirm]:not(form)");
    if (asking && !window.confirm(asking.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
      return;
    }
    if (target.closest("[data-history-back]") && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm !== undefined && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    const field = event.target;
    if (field instanceof HTMLSelectElement && field.dataset.autosubmit !== undefined && field.form) {
      field.form.submit();
    }
  });

  // Cards on a phone: each cell of a table.table-cards carries its column's heading (thead's last row).
  function labelCells(root) {
    const tables = root.querySelectorAll ? root.querySelectorAll("table.table-cards") : [];
    tables.forEach(function (table) {
      const rows = table.tHead ? table.tHead.rows : [];
      if (!rows.length) { return; }
      const headings = Array.from(rows[rows.length - 1].cells).map(function (cell) { return cell.textContent.trim(); });
      Array.from(table.tBodies).forEach(function (body) {
        Array.from(body.rows).forEach(function (row) {
          Array.from(row.cells).forEach(function (cell, i) {
            if (headings[i] && !cell.hasAttribute("data-label") && cell.colSpan === 1) { cell.dataset.label = headings[i]; }
          });
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { labelCells(document); });
  document.addEventListener("htmx:afterSettle", function (event) { labelCells(event.target.parentNode || document); });
})();
