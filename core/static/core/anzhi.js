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
})();
