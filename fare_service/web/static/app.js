// The agents' quoting form: reads the inputs, asks POST /v1/adjustments, shows the answer.
// Plain JavaScript on purpose: it must run offline, without a build step. The form's other
// files (form-*.js, loaded before this one) register their pieces on window.fareForm.
"use strict";

(() => {
  const F = window.fareForm;
  const { $, form, COORDINATES, setStatus } = F;
  const { api, formatMoneyInput, seoulNow, readRequest, checkRequest, missingForAuto } = F;
  const { showProblems, serverErrors, showServerProblem, clearErrors, stopProblemsFromServer } = F;
  const { showResult, confirmStops, selectTab, onTabKey, onShortcut, onCopy } = F;
  const { locateOrigin, enhanceStop, addWaypoint } = F;

  const AGENT_STORAGE = "fare-service.agent-name";
  const AUTO_DELAY_MS = 450;
  let autoTimer = 0;
  let requestSeq = 0;
  let inflight = null;
  let mapMissing = false; // the server has no /v1/route-map: stop asking

  function scheduleQuote() {
    clearTimeout(autoTimer);
    autoTimer = setTimeout(() => quote(false), AUTO_DELAY_MS);
  }

  async function quote(explicit) {
    clearTimeout(autoTimer);
    const body = readRequest();
    if (!explicit && missingForAuto(body)) {
      setStatus("원콜 ID, 콜 상태, 결제 수단, 운행 시작, 기존 요금, 출발지, 도착지를 입력하면 계산합니다.");
      $("result-body").classList.add("stale");
      return;
    }
    const problems = checkRequest(body);
    if (!explicit && problems.length) return; // the agent is still typing: no red yet
    const seq = ++requestSeq;
    if (inflight) inflight.abort();
    inflight = new AbortController();
    const signal = inflight.signal;
    $("result").setAttribute("aria-busy", "true");
    try {
      if (problems.length) {
        const stops = await stopProblemsFromServer(body, problems, signal);
        if (seq !== requestSeq) return;
        showProblems([...problems, ...stops], explicit);
        return;
      }
      const map = fetchMap(body, signal);
      const response = await api("/v1/adjustments", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal,
      });
      const payload = await response.json().catch(() => ({}));
      if (seq !== requestSeq) return;
      if (response.ok) {
        clearErrors();
        showResult(payload, body, explicit);
        showMap(await map, seq);
        return;
      }
      // The API stops at its first stage that fails (a rule checked before routing, or one
      // route's stops before the other's): ask about the stops it did not name, so every
      // problem shows in this round.
      const errors = serverErrors(payload);
      if (response.status === 422 && errors.length) {
        const stops = await stopProblemsFromServer(body, errors, signal);
        if (seq !== requestSeq) return;
        showProblems([...errors, ...stops], explicit);
      } else {
        showServerProblem(payload, response.status, explicit);
      }
    } catch (error) {
      if (error.name !== "AbortError" && seq === requestSeq) {
        setStatus("서버에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.", true);
        $("result-body").classList.add("stale");
      }
    } finally {
      if (seq === requestSeq) $("result").setAttribute("aria-busy", "false");
    }
  }

  // The stops' picture changes only with the stops: ticking a check reuses the last one.
  const lastMap = { request: "", svg: null };

  async function fetchMap(body, signal) {
    if (mapMissing) return null;
    const change = body.change || {};
    const request = {
      origin: body.call.origin,
      waypoints: [...body.call.waypoints, ...(change.add_waypoints || [])],
      destination: body.call.destination,
      changed_destination: change.destination || null,
    };
    const key = JSON.stringify(request);
    if (key === lastMap.request && lastMap.svg) return lastMap.svg;
    try {
      const response = await api("/v1/route-map", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "image/svg+xml" },
        body: JSON.stringify(request),
        signal,
      });
      if (response.status === 404 || response.status === 405) mapMissing = true;
      if (!response.ok) return null;
      const svg = await response.text();
      Object.assign(lastMap, { request: key, svg });
      return svg;
    } catch {
      return null;
    }
  }

  function showMap(svg, seq) {
    if (seq !== requestSeq) return;
    const box = $("map-box");
    box.hidden = !svg;
    // An <img> (a data: URL, as the page's policy allows) never runs what the SVG holds.
    if (svg) $("route-map").src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
    else $("route-map").removeAttribute("src");
  }

  async function loadTariffs() {
    try {
      const response = await api("/v1/tariffs");
      if (!response.ok) return;
      const select = $("tariff");
      for (const tariff of await response.json()) {
        const option = document.createElement("option");
        option.value = tariff.id;
        option.textContent = tariff.name ? `${tariff.name} (${tariff.id})` : tariff.id;
        select.append(option);
      }
    } catch {
      // The default tariff still works; the list is a convenience.
    }
  }

  function resetForm() {
    const agent = $("agent-name").value;
    form.reset();
    $("agent-name").value = agent; // the agent stays the same person
    for (const id of ["call-waypoints", "change-waypoints"]) $(id).replaceChildren();
    $("call-time").value = seoulNow();
    clearErrors();
    F.forgetConfirmedStops();
    $("result-body").hidden = true;
    setStatus("호출 정보를 입력하면 안내 문장과 예상 요금이 여기에 표시됩니다.");
    $("call-type").focus();
  }

  function rememberAgent() {
    try {
      const name = $("agent-name").value.trim();
      if (name) localStorage.setItem(AGENT_STORAGE, name);
      else localStorage.removeItem(AGENT_STORAGE);
    } catch {
      // Storage may be off (private mode): the name is then typed each time.
    }
  }

  function start() {
    $("call-time").value = seoulNow();
    try {
      $("agent-name").value = localStorage.getItem(AGENT_STORAGE) || "";
    } catch {
      // as above
    }
    for (const input of form.querySelectorAll("input.stop")) enhanceStop(input);
    for (const button of form.querySelectorAll("[data-list]")) {
      button.addEventListener("click", () => addWaypoint($(button.dataset.list)));
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      quote(true);
    });
    // Enter quotes from anywhere in the form, checkboxes and selects included.
    form.addEventListener("keydown", (event) => {
      const target = event.target;
      if (event.key !== "Enter" || event.altKey || event.isComposing || target.matches("button, textarea")) return;
      event.preventDefault();
      quote(true);
    });
    form.addEventListener("input", (event) => {
      const target = event.target;
      if (target.matches("[data-money]")) formatMoneyInput(target);
      if (target.id === "agent-name") rememberAgent();
      // A half-typed place name is not worth asking about: stops count once picked or left.
      if (!target.matches("input.stop") || COORDINATES.test(target.value)) scheduleQuote();
    });
    form.addEventListener("change", scheduleQuote);
    $("reset-button").addEventListener("click", resetForm);
    $("confirm-button").addEventListener("click", confirmStops);
    $("call-origin").addEventListener("change", locateOrigin);
    $("tabs").addEventListener("click", (event) => {
      const tab = event.target.closest("[role=tab]");
      if (tab) selectTab(tab.dataset.tab, true);
    });
    $("tabs").addEventListener("keydown", onTabKey);
    document.addEventListener("keydown", onShortcut, true);
    document.addEventListener("click", (event) => {
      const button = event.target.closest("button.copy");
      if (button) onCopy(button);
    });
    loadTariffs();
    $("call-type").focus();
  }

  Object.assign(F, { scheduleQuote });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
