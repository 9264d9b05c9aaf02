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
 *   data-picker               on a select: a searchable control (Tom Select) that finds options by name, pinyin
 *                             or initials (each option's data-search, from core.pickers); with data-picker-url
 *                             it asks that scoped endpoint (?q=) as the person types. Without Tom Select (or
 *                             without JavaScript) the select stays a select.
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

  function textNode(tag, text, className) {
    const node = document.createElement(tag);
    node.textContent = text;
    if (className) { node.className = className; }
    return node;
  }

  function startPicker(select) {
    if (select.tomselect) { return; }
    const url = select.dataset.pickerUrl;
    const empty = select.dataset.pickerEmpty || "";
    // The empty choice is not an item: it shows as the placeholder when it says something (全部属地), and a
    // × clears the choice back to it when the field may stay empty.
    const blank = select.multiple ? null : select.querySelector("option[value='']");
    const blankText = blank ? blank.textContent.trim() : "";
    const plugins = select.multiple ? { remove_button: { title: select.dataset.pickerRemove || "" } } : {};
    if (blank && !select.required) {
      plugins.clear_button = {
        title: select.dataset.pickerClear || "",
        html: function (data) {
          const button = textNode("div", "\u00d7", data.className);
          button.title = data.title;
          button.setAttribute("role", "button");
          button.tabIndex = 0;
          return button;
        },
      };
    }
    const settings = {
      valueField: "value",
      labelField: "text",
      searchField: ["text", "search"],
      placeholder: blankText && !/^-+$/.test(blankText) ? blankText : (select.dataset.pickerPlaceholder || ""),
      maxOptions: 200,
      allowEmptyOption: false,
      plugins: plugins,
      // Text as text: every piece is a DOM node built with textContent, never an HTML string.
      render: {
        option: function (data) { return textNode("div", data.text); },
        item: function (data) { return textNode("div", data.text); },
        no_results: function () { return textNode("div", empty, "no-results"); },
        option_create: function () { return document.createElement("div"); },
        loading: function () { return textNode("div", "…", "spinner-border spinner-border-sm m-2"); },
      },
    };
    if (url) {
      settings.loadThrottle = 250;
      settings.shouldLoad = function (query) { return query.trim().length > 0; };
      // The endpoint has searched already (names, pinyin, credit codes): keep all it sent.
      settings.score = function () { return function () { return 1; }; };
      settings.load = function (query, callback) {
        const target = new URL(url, window.location.href);
        target.searchParams.set("q", query);
        window.fetch(target.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { callback(data.results || []); })
          .catch(function () { callback(); });
      };
    }
    new window.TomSelect(select, settings);
  }

  function startPickers(root) {
    if (typeof window.TomSelect !== "function" || !root.querySelectorAll) { return; }
    root.querySelectorAll("select[data-picker]").forEach(startPicker);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { startPickers(document); });
  } else {
    startPickers(document);
  }
  // HTML that htmx swaps in (a filter bar, a form fragment) gets its pickers too.
  document.addEventListener("htmx:load", function (event) {
    if (event.target instanceof Element) { startPickers(event.target); }
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
