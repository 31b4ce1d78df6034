// API access, with the key asked once per browser session.
"use strict";

(() => {
  const F = window.fareForm;
  const { $ } = F;
  const KEY_STORAGE = "fare-service.api-key";
  let keyPrompt = null;

  async function api(path, options = {}) {
    for (;;) {
      const headers = { Accept: "application/json", ...(options.headers || {}) };
      const key = sessionStorage.getItem(KEY_STORAGE);
      if (key) headers.Authorization = "Bearer " + key;
      const response = await fetch(path, { ...options, headers });
      if (response.status !== 401) return response;
      const hadKey = Boolean(key);
      sessionStorage.removeItem(KEY_STORAGE);
      if (!(await askForKey(hadKey))) return response;
    }
  }

  function askForKey(wasWrong) {
    if (keyPrompt) return keyPrompt;
    const dialog = $("key-dialog");
    $("key-error").hidden = !wasWrong;
    $("api-key").value = "";
    keyPrompt = new Promise((resolve) => {
      dialog.addEventListener("close", () => {
        const key = $("api-key").value.trim();
        const ok = dialog.returnValue === "ok" && key !== "";
        if (ok) sessionStorage.setItem(KEY_STORAGE, key);
        keyPrompt = null;
        resolve(ok);
      }, { once: true });
    });
    dialog.showModal();
    return keyPrompt;
  }

  Object.assign(F, { api });
})();
