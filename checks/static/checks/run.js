"use strict";
// The run form (checks/templates/checks/run_form.html). Without this script the form posts normally. With it:
// - the phone's position fills the hidden coordinates when the phone gives one;
// - the failure fields show only for items marked 不合格 (or measured);
// - a submission that cannot reach the server (offline, bad signal) is kept on the device with its photos
//   (IndexedDB) and posted again whenever the connection returns, from this page or the next one opened under
//   /checks/. The run's uuid makes a repeat harmless: the server returns the run it already has.
(function () {
  const DB = "anzhi-checks";
  const STORE = "pending-runs";

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

  let sending = false;

  function flush() {
    if (sending || !navigator.onLine) {
      return Promise.resolve();
    }
    sending = true;
    return pending().then(function (runs) {
      return runs.reduce(function (chain, run) {
        return chain.then(function () {
          const data = new FormData();
          run.entries.forEach(function (pair) { data.append(pair[0], pair[1]); });
          return post(run.action, data).then(function (response) {
            if (response.ok && /\/checks\/runs\/\d+\/$/.test(new URL(response.url).pathname)) {
              return forget(run.uuid).then(function () {
                status("已恢复网络，本机保存的检查记录已提交。");
                const link = document.querySelector("[data-offline-link]");
                if (link) {
                  link.href = response.url;
                  link.hidden = false;
                }
              });
            }
            if (response.status === 400 || response.status === 403 || response.status === 404) {
              // Refused by the server (not a network problem): keep it out of the queue; the form shows why.
              return forget(run.uuid).then(function () {
                status("本机保存的检查记录未被接受（" + response.status + "），请重新填写。");
              });
            }
            return undefined;
          });
        });
      }, Promise.resolve());
    }).catch(function () {
      status("仍无法连接服务器，检查记录保存在本机，恢复网络后自动提交。");
    }).finally(function () {
      sending = false;
    });
  }

  window.addEventListener("online", flush);
  window.setInterval(flush, 10000);
  flush();

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/checks/sw.js", {scope: "/checks/"}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      // A page loaded before the worker took control was fetched past it, so the worker has not kept it: keep it
      // now (same cache name as sw.js), then say the form will open without signal.
      if (location.pathname !== "/checks/run/new/") { return null; }
      return caches.open("anzhi-checks-v1").then(function (cache) { return cache.add(location.href); });
    }).then(function () {
      document.documentElement.dataset.offlineReady = "1";
    }).catch(function () {
      /* no worker (private mode, old browser): the form still works online */
    });
  }

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
    post(action, data).then(function (response) {
      if (response.ok && /\/checks\/runs\/\d+\/$/.test(new URL(response.url).pathname)) {
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
      keep(action, data).then(function () {
        status("网络不可用：检查记录和照片已保存在本机，恢复网络后自动提交。");
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
