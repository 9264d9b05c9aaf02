"use strict";
// The on-site inspection page (enforcement/templates/enforcement/inspection_detail.html). Without this script the
// forms post normally. With it, the forms marked data-offline-form (checklist results, findings) are posted with
// fetch; one that cannot reach the server (no signal in the plant) is kept on the device with its photos
// (IndexedDB) and posted again when the connection returns. Each submission carries its own uuid, so a repeat is
// harmless: the server returns what it already recorded and adds nothing. The service worker (/enforcement/sw.js)
// keeps this page, so it opens again without signal.
(function () {
  const DB = "anzhi-enforcement";
  const STORE = "pending-posts";
  const CACHE = "anzhi-enforcement-v1";
  const PAGE = /^\/enforcement\/inspections\/\d+\/$/;

  function openDb() {
    return new Promise(function (resolve, reject) {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, {keyPath: "uuid"}); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        const tx = db.transaction(STORE, mode);
        const result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function status(text) {
    document.querySelectorAll("[data-offline-status]").forEach(function (node) { node.textContent = text; });
  }

  function keep(action, formData) {
    const entries = [];
    formData.forEach(function (value, name) { entries.push([name, value]); });
    const uuid = formData.get("uuid");
    return withStore("readwrite", function (store) {
      return store.put({uuid: uuid, action: action, entries: entries, kept: Date.now()});
    });
  }

  function pending() {
    return withStore("readonly", function (store) { return store.getAll(); });
  }

  function forget(uuid) {
    return withStore("readwrite", function (store) { return store.delete(uuid); });
  }

  function post(action, formData) {
    return fetch(action, {method: "POST", body: formData, credentials: "same-origin",
                          headers: {"X-Requested-With": "fetch"}});
  }

  function accepted(response) {
    return response.ok && PAGE.test(new URL(response.url).pathname);
  }

  let sending = false;

  function flush() {
    if (sending || !navigator.onLine) {
      return Promise.resolve();
    }
    sending = true;
    return pending().then(function (posts) {
      return posts.reduce(function (chain, kept) {
        return chain.then(function () {
          const data = new FormData();
          kept.entries.forEach(function (pair) { data.append(pair[0], pair[1]); });
          return post(kept.action, data).then(function (response) {
            if (accepted(response)) {
              return forget(kept.uuid).then(function () {
                status("已恢复网络，本机保存的检查记录已提交。");
                const link = document.querySelector("[data-offline-link]");
                if (link) {
                  link.href = response.url;
                  link.hidden = false;
                }
              });
            }
            if (response.status === 400 || response.status === 403 || response.status === 404) {
              // Refused by the server (not a network problem): out of the queue, and say so.
              return response.text().then(function (why) {
                return forget(kept.uuid).then(function () {
                  status("本机保存的检查记录未被接受（" + response.status + "）：" + why);
                });
              });
            }
            return undefined;
          });
        });
      }, Promise.resolve());
    }).catch(function () {
      status("仍无法连接服务器：检查记录已保存在本机，恢复网络后自动提交。");
    }).finally(function () {
      sending = false;
    });
  }

  window.addEventListener("online", flush);
  window.setInterval(flush, 10000);
  flush();

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/enforcement/sw.js", {scope: "/enforcement/"}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      // A page loaded before the worker took control was fetched past it: keep it now (same cache as sw.js).
      if (!PAGE.test(location.pathname)) { return null; }
      return caches.open(CACHE).then(function (cache) { return cache.add(location.href); });
    }).then(function () {
      document.documentElement.dataset.offlineReady = "1";
    }).catch(function () {
      /* no worker (private mode, old browser): the page still works online */
    });
  }

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
      post(action, data).then(function (response) {
        if (accepted(response)) {
          window.location.assign(response.url);
          return;
        }
        // The server answered (errors to show): post the ordinary way so the page shows them.
        form.dataset.sendNormally = "1";
        form.requestSubmit(event.submitter || undefined);
      }).catch(function () {
        keep(action, data).then(function () {
          status("网络不可用：检查记录和照片已保存在本机，恢复网络后自动提交。");
          renew(form);
        });
      });
    });
  });
})();
