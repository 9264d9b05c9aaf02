"use strict";
// The run form (checks/templates/checks/run_form.html). Without this script the form posts normally. With it:
// - the phone's position fills the hidden coordinates when the phone gives one;
// - the failure fields show only for items marked 不合格 (or measured);
// - a submission that cannot reach the server (offline, bad signal) goes to the outbox (core/outbox.js: kept on the
//   device with its photos and posted again whenever the connection returns, from this page or the next one opened
//   under /checks/). The run's uuid makes a repeat harmless: the server returns the run it already has.
(function () {
  function accepted(response) {
    return response.ok && /\/checks\/runs\/\d+\/$/.test(new URL(response.url).pathname);
  }

  const outbox = window.anzhiOutbox({
    db: "anzhi-checks", store: "pending-runs", cache: "anzhi-checks-v1", accepted: accepted,
    worker: "/checks/sw.js", scope: "/checks/",
    keepPage: function (path) { return path === "/checks/run/new/"; },
  });

  const form = document.querySelector("[data-run-form]");
  if (!form) {
    return;
  }

  function sync(fieldset) {
    const failed = fieldset.querySelector("input[data-outcome][value=fail]");
    const value = fieldset.querySelector("input[name^=value_]");
    const block = fieldset.querySelector("[data-fail-only]");
    if (block) {
      block.hidden = !((failed && failed.checked) || (value && value.value !== ""));
    }
  }
  form.querySelectorAll("fieldset[data-item]").forEach(function (fieldset) {
    sync(fieldset);
    fieldset.addEventListener("change", function () { sync(fieldset); });
    fieldset.addEventListener("input", function () { sync(fieldset); });
  });

  form.addEventListener("submit", function (event) {
    if (form.dataset.sendNormally) {
      return;
    }
    event.preventDefault();
    const data = new FormData(form, event.submitter);
    // form.action would be the buttons named "action": read the attribute.
    const action = form.getAttribute("action") || window.location.href;
    outbox.post(action, data).then(function (response) {
      if (accepted(response)) {
        window.location.assign(response.url);
        return;
      }
      // The server answered (errors to show): post the form the ordinary way so the page shows them.
      form.dataset.sendNormally = "1";
      if (event.submitter) {
        form.requestSubmit(event.submitter);
      } else {
        form.requestSubmit();
      }
    }).catch(function () {
      outbox.keep(action, data).then(function () {
        outbox.status("网络不可用：检查记录和照片已保存在本机，恢复网络后自动提交。");
        form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
      });
    });
  });

  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (position) {
      const lon = form.querySelector("[data-gps=longitude]");
      const lat = form.querySelector("[data-gps=latitude]");
      if (lon && lat && !lon.value) {
        lon.value = position.coords.longitude.toFixed(6);
        lat.value = position.coords.latitude.toFixed(6);
      }
    }, function () { /* no position: the run is recorded without one */ }, {timeout: 10000, maximumAge: 60000});
  }
})();
