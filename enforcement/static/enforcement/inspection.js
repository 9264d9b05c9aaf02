"use strict";
// The on-site inspection page (enforcement/templates/enforcement/inspection_detail.html). Without this script the
// forms post normally. With it, the forms marked data-offline-form (checklist results, findings) are posted with
// fetch; one that cannot reach the server (no signal in the plant) goes to the outbox (core/outbox.js: kept on the
// device with its photos and posted again when the connection returns). Each submission carries its own uuid, so a
// repeat is harmless. The service worker (/enforcement/sw.js) keeps this page, so it opens again without signal.
(function () {
  const PAGE = /^\/enforcement\/inspections\/\d+\/$/;

  function accepted(response) {
    return response.ok && PAGE.test(new URL(response.url).pathname);
  }

  const outbox = window.anzhiOutbox({
    db: "anzhi-enforcement", store: "pending-posts", cache: "anzhi-enforcement-v1", accepted: accepted,
    worker: "/enforcement/sw.js", scope: "/enforcement/",
    keepPage: function (path) { return PAGE.test(path); },
  });

  function renew(form) {
    // The next submission of this form is another record: a fresh uuid, else keep the buttons off.
    const field = form.querySelector("input[name=uuid]");
    if (field && window.crypto && typeof window.crypto.randomUUID === "function") {
      form.reset();
      field.value = window.crypto.randomUUID();
      return;
    }
    form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
  }

  document.querySelectorAll("form[data-offline-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sendNormally) {
        return;
      }
      event.preventDefault();
      const data = new FormData(form, event.submitter);
      const action = form.getAttribute("action") || window.location.href;
      outbox.post(action, data).then(function (response) {
        if (accepted(response)) {
          window.location.assign(response.url);
          return;
        }
        // The server answered (errors to show): post the ordinary way so the page shows them.
        form.dataset.sendNormally = "1";
        form.requestSubmit(event.submitter || undefined);
      }).catch(function () {
        outbox.keep(action, data).then(function () {
          outbox.status("网络不可用：检查记录和照片已保存在本机，恢复网络后自动提交。");
          renew(form);
        });
      });
    });
  });
})();
