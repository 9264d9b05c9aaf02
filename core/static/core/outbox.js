"use strict";
// The outbox of the pages that work without signal (the checks run form, the on-site inspection page): a
// submission that cannot reach the server is kept on the device with its photos (IndexedDB) and posted again
// whenever the connection returns, once: each carries its own uuid, so a repeat is harmless (the server returns
// what it already recorded). The page's own script says which answer means "recorded" and what to show.
//
//   const outbox = window.anzhiOutbox({db, store, cache, accepted(response), worker, scope, keepPage(pathname)});
//   outbox.post(action, formData) → fetch promise;  outbox.keep(action, formData) → stored;  outbox.status(text)
(function () {
  function openDb(name, store) {
    return new Promise(function (resolve, reject) {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(store, {keyPath: "uuid"}); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function status(text) {
    document.querySelectorAll("[data-offline-status]").forEach(function (node) { node.textContent = text; });
  }

  function post(action, formData) {
    return fetch(action, {method: "POST", body: formData, credentials: "same-origin",
                          headers: {"X-Requested-With": "fetch"}});
  }

  window.anzhiOutbox = function (options) {
    function withStore(mode, work) {
      return openDb(options.db, options.store).then(function (db) {
        return new Promise(function (resolve, reject) {
          const tx = db.transaction(options.store, mode);
          const result = work(tx.objectStore(options.store));
          tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
          tx.onerror = function () { reject(tx.error); };
        });
      });
    }

    function keep(action, formData) {
      const entries = [];
      formData.forEach(function (value, name) { entries.push([name, value]); });
      return withStore("readwrite", function (store) {
        return store.put({uuid: formData.get("uuid"), action: action, entries: entries, kept: Date.now()});
      });
    }

    function forget(uuid) {
      return withStore("readwrite", function (store) { return store.delete(uuid); });
    }

    let sending = false;

    function flush() {
      if (sending || !navigator.onLine) {
        return Promise.resolve();
      }
      sending = true;
      // Said once every kept record has gone (not after the first: the link would show a record still missing).
      let sent = 0;
      let lastUrl = null;
      let refused = null;
      return withStore("readonly", function (store) { return store.getAll(); }).then(function (posts) {
        return posts.reduce(function (chain, kept) {
          return chain.then(function () {
            const data = new FormData();
            kept.entries.forEach(function (pair) { data.append(pair[0], pair[1]); });
            return post(kept.action, data).then(function (response) {
              if (options.accepted(response)) {
                return forget(kept.uuid).then(function () {
                  sent += 1;
                  lastUrl = response.url;
                });
              }
              if (response.status === 400 || response.status === 403 || response.status === 404) {
                // Refused by the server (not a network problem): out of the queue, and say why.
                return response.text().then(function (why) {
                  return forget(kept.uuid).then(function () {
                    refused = "本机保存的检查记录未被接受（" + response.status + "）："
                              + (why.length < 300 ? why : "请重新填写。");
                    status(refused);
                  });
                });
              }
              return undefined;
            });
          });
        }, Promise.resolve()).then(function () {
          if (sent) {
            status("已恢复网络，本机保存的检查记录已提交（" + sent + " 条）。" + (refused ? refused : ""));
            const link = document.querySelector("[data-offline-link]");
            if (link) {
              link.href = lastUrl;
              link.hidden = false;
            }
          }
        });
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
      navigator.serviceWorker.register(options.worker, {scope: options.scope}).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function () {
        // A page loaded before the worker took control was fetched past it, so the worker has not kept it: keep it
        // now (the worker's cache), then say the page will open without signal.
        if (!options.keepPage(location.pathname)) { return null; }
        return caches.open(options.cache).then(function (cache) { return cache.add(location.href); });
      }).then(function () {
        document.documentElement.dataset.offlineReady = "1";
      }).catch(function () {
        /* no worker (private mode, old browser): the page still works online */
      });
    }

    return {keep: keep, post: post, status: status, flush: flush};
  };
})();
