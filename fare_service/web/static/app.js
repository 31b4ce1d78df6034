// The agents' quoting form: reads the inputs, asks POST /v1/adjustments, shows the answer.
// Plain JavaScript on purpose: it must run offline, without a build step.
"use strict";

(() => {
  const KEY_STORAGE = "fare-service.api-key";
  const AUTO_DELAY_MS = 450;
  const SUGGEST_DELAY_MS = 200;
  const COORDINATES = /^\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$/;

  const OUTCOMES = {
    reconnect: ["재연결 진행", "ok"],
    blocked: ["진행 불가: 조건 미충족", "stop"],
    decline: ["재연결 불가", "stop"],
    refer_to_situation_room: ["상황실 문의 안내", "warn"],
  };
  // What the agent does about each blocker (the guide's wording where it has one).
  const BLOCKER_ACTIONS = {
    identity_not_verified:
      "본인 확인 불가: 호출한 계정 가입자 본인이 아니면 상담이 제한됩니다. 본인 확인 후 다시 시도",
    driver_not_present:
      "기사와 함께 있지 않음: '(기사 함께 X) 고객_강제재연결 요청' 가이드로 안내",
    driver_consent_required:
      "기사님께 재연결(요금 조정 시 조정 요금 포함) 동의를 받은 뒤 '기사 동의'에 체크",
    customer_consent_required: "고객님께 조정 요금 동의를 받은 뒤 '고객 동의'에 체크",
    already_reconnected:
      "이미 한 번 강제 연결된 호출입니다(1회만 가능). 다시 연결할 수 없으니 상황실 또는 새 호출로 안내",
    customer_recalling: "고객에게 앱 상단 '호출 취소'를 눌러 달라고 요청한 뒤 다시 시도",
    driver_off_duty: "기사님께 기사앱을 출근 상태로 바꿔 달라고 요청한 뒤 다시 시도",
  };
  const PAYMENT_ACTIONS = {
    force_charge: "운행 강제 결제",
    already_paid: "결제 완료 (추가 결제 없음)",
    cancel_and_recharge: "기존 결제 취소 후 재결제",
    cash_collect: "기사 현금 수령",
    none: "결제 없음",
  };
  const PAYMENT_TIMES = { after_ride: "운행 완료 후", on_arrival: "도착 시" };
  const FARE_SOURCES = { original: "기존 요금", agreed: "합의 요금", estimate: "예상 요금" };
  const ROUTE_SOURCES = {
    embedded: "직선거리 기반 추정 경로",
    osrm: "도로 경로",
    "osrm-fallback-embedded": "도로 경로 조회 실패, 추정 경로",
    caller: "입력한 경로",
    trace: "GPS 기록",
  };
  const TEXT_GROUPS = [
    ["scripts", "스크립트", { opening: "첫 응대", customer: "고객 안내", driver: "기사 안내" }],
    ["sms", "SMS", {
      fare_adjusted: "고객: 요금조정 완료",
      customer_unreachable: "고객: 부재 재인입 유도",
      driver_delay: "기사: 고객 부재 처리지연",
    }],
    ["memo", "운영메모", { original_call: "원콜에 기재", forced_call: "강콜에 기재" }],
  ];

  const $ = (id) => document.getElementById(id);
  const form = $("quote-form");
  const won = (n) => (typeof n === "number" ? n.toLocaleString("ko-KR") + "원" : "-");
  const signedWon = (n) => (typeof n === "number" && n > 0 ? "+" : "") + won(n);

  let autoTimer = 0;
  let requestSeq = 0;
  let inflight = null;
  let keyPrompt = null;

  // ---------- API access, with the key asked once per browser session ----------

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

  // ---------- Reading the form ----------

  function parseWon(text) {
    const cleaned = text.replace(/[,\s원]/g, "");
    if (cleaned === "") return null;
    // Anything else goes to the API as typed, which names the field and the problem.
    return /^-?\d+$/.test(cleaned) ? Number(cleaned) : text.trim();
  }

  function stopValue(input) {
    const text = input.value.trim();
    if (text === "") return null;
    const match = COORDINATES.exec(text);
    return match ? { lat: Number(match[1]), lon: Number(match[2]) } : { place: text };
  }

  function stopsIn(listId) {
    return [...$(listId).querySelectorAll("input.stop")].map(stopValue).filter(Boolean);
  }

  function seoulNow() {
    // The server reads a time without an offset as Asia/Seoul, whatever the PC's zone is.
    const parts = new Intl.DateTimeFormat("sv-SE", {
      timeZone: "Asia/Seoul", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).format(new Date());
    return parts.replace(" ", "T");
  }

  function readRequest() {
    const change = {
      destination: stopValue($("change-destination")),
      add_waypoints: stopsIn("change-waypoints"),
      agreed_fare: parseWon($("agreed-fare").value),
    };
    const changed = change.destination || change.add_waypoints.length || change.agreed_fare !== null;
    const reconnections = $("chk-reconnections").value.trim();
    const body = {
      call: {
        id: $("call-id").value.trim(),
        type: $("call-type").value,
        state: $("call-state").value,
        payment: $("call-payment").value,
        fare: parseWon($("call-fare").value),
        requested_at: $("call-time").value || seoulNow(),
        origin: stopValue($("call-origin")),
        waypoints: stopsIn("call-waypoints"),
        destination: stopValue($("call-destination")),
        driving_started: $("call-driving-started").checked,
      },
      change: changed ? change : null,
      checks: {
        identity_verified: $("chk-identity").checked,
        driver_present: $("chk-driver-present").checked,
        driver_consent: $("chk-driver-consent").checked,
        customer_consent: $("chk-customer-consent").checked,
        reconnections_so_far: /^\d+$/.test(reconnections) ? Number(reconnections) : reconnections,
        customer_recalling: $("chk-recalling").checked,
        driver_on_duty: $("chk-on-duty").checked,
      },
    };
    if ($("tariff").value) body.tariff_id = $("tariff").value;
    if ($("forced-call-id").value.trim()) body.forced_call_id = $("forced-call-id").value.trim();
    return body;
  }

  function missingForAuto(body) {
    const call = body.call;
    return !call.id || call.fare === null || !call.origin || !call.destination;
  }

  // ---------- Asking the API ----------

  function scheduleQuote() {
    clearTimeout(autoTimer);
    autoTimer = setTimeout(() => quote(false), AUTO_DELAY_MS);
  }

  async function quote(explicit) {
    clearTimeout(autoTimer);
    const body = readRequest();
    if (!explicit && missingForAuto(body)) {
      setStatus("원콜 ID, 기존 요금, 출발지, 도착지를 입력하면 계산합니다.");
      $("result-body").classList.add("stale");
      return;
    }
    const seq = ++requestSeq;
    if (inflight) inflight.abort();
    inflight = new AbortController();
    $("result").setAttribute("aria-busy", "true");
    try {
      const response = await api("/v1/adjustments", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: inflight.signal,
      });
      const payload = await response.json().catch(() => ({}));
      if (seq !== requestSeq) return;
      clearErrors();
      if (response.ok) showResult(payload);
      else showProblem(payload, response.status);
    } catch (error) {
      if (error.name !== "AbortError" && seq === requestSeq) {
        setStatus("서버에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.", true);
        $("result-body").classList.add("stale");
      }
    } finally {
      if (seq === requestSeq) $("result").setAttribute("aria-busy", "false");
    }
  }

  // ---------- Problems: each field error beside its input ----------

  const MESSAGES = [
    [/valid integer|unable to parse string as an integer/i, "숫자(원)만 입력하세요"],
    [/greater than or equal to (\S+)/i, (m) => `${Number(m[1]).toLocaleString("ko-KR")} 이상이어야 합니다`],
    [/less than or equal to (\S+)/i, (m) => `${Number(m[1]).toLocaleString("ko-KR")} 이하여야 합니다`],
    [/field required|valid dictionary|valid boolean/i, "필수 입력입니다"],
    [/should match pattern|string_pattern/i, "영문·숫자·-_.: 만 쓸 수 있습니다"],
    [/valid datetime/i, "호출 일시를 확인해 주세요"],
    [/lat and lon, or place/i, "장소 이름 또는 좌표(37.5,127.0)를 입력하세요"],
    [/no Korean place named/i, "찾을 수 없는 장소입니다"],
    [/could be \d+ places/i, "여러 곳이 있습니다. 구·시를 붙이거나 목록에서 고르세요"],
  ];

  function korean(message) {
    for (const [pattern, text] of MESSAGES) {
      const match = pattern.exec(message || "");
      if (match) return typeof text === "function" ? text(match) : text;
    }
    return message || "입력값을 확인해 주세요";
  }

  function inputForField(field) {
    // "call.waypoints[1].place" -> the second waypoint's input; the longest match wins.
    let best = null;
    for (const element of form.querySelectorAll("[data-field]")) {
      const name = element.dataset.field;
      const fits = field === name || field.startsWith(name + ".") || field.startsWith(name + "[");
      if (fits && element.matches("input, select") && (!best || name.length > best.dataset.field.length)) {
        best = element;
      }
    }
    return best;
  }

  function showProblem(problem, status) {
    const errors = Array.isArray(problem.errors) ? problem.errors : [];
    const unplaced = [];
    for (const error of errors) {
      const input = inputForField(String(error.field || ""));
      const candidates = Array.isArray(problem.candidates) ? problem.candidates.slice(0, 4) : [];
      const hint = candidates.length ? ` (후보: ${candidates.join(", ")})` : "";
      if (input) showFieldError(input, korean(error.message) + hint, error.message);
      else unplaced.push(`${error.field}: ${korean(error.message)}`);
    }
    const title = problem.title || `오류 (${status})`;
    if (!errors.length || unplaced.length) {
      const detail = unplaced.length ? unplaced.join(" · ") : problem.detail || "";
      $("form-error").textContent = `${title}${detail ? ": " + detail : ""}`;
      $("form-error").hidden = false;
    }
    setStatus(errors.length ? "입력값을 확인해 주세요 (빨간 안내 참고)." : title, true);
    // An answer for other inputs must not pass for this one's: keep it visible, but faded.
    $("result-body").classList.add("stale");
  }

  function errorSlot(input) {
    const byId = input.id && $(input.id + "-error");
    return byId || input.closest(".field, .check")?.querySelector(".field-error");
  }

  function showFieldError(input, text, original) {
    const slot = errorSlot(input);
    input.setAttribute("aria-invalid", "true");
    if (!slot) return;
    slot.textContent = text;
    slot.title = original || "";
    slot.hidden = false;
    if (slot.id) input.setAttribute("aria-describedby", slot.id);
  }

  function clearErrors() {
    $("form-error").hidden = true;
    for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    for (const slot of form.querySelectorAll(".field-error")) {
      slot.hidden = true;
      slot.textContent = "";
    }
  }

  // ---------- The result ----------

  function setStatus(text, isError = false) {
    const status = $("result-status");
    status.textContent = text;
    status.classList.toggle("error", isError);
    status.hidden = false;
  }

  function setText(id, value) {
    $(id).textContent = value;
  }

  function showResult(result) {
    $("result-status").hidden = true;
    $("result-body").hidden = false;
    $("result-body").classList.remove("stale");
    const [label, tone] = OUTCOMES[result.outcome] || [result.outcome || "", "warn"];
    setText("outcome", label);
    $("headline-box").dataset.tone = tone;
    setText("headline", result.headline || label);
    showBlockers(result.blockers || []);
    setText("original-fare", won(result.original_fare));
    const source = FARE_SOURCES[result.fare_source];
    setText("adjusted-fare", won(result.adjusted_fare) + (source ? ` (${source})` : ""));
    setText("fare-delta", typeof result.fare_delta === "number" ? signedWon(result.fare_delta) : "-");
    setText("payment-action", paymentText(result.payment));
    setText("insured", result.insured === true ? "적용" : result.insured === false ? "적용 안 됨" : "-");
    showQuote(result.quote);
    showAnchor(result.estimate, result.original_fare);
    showWarnings(result);
    showTexts(result);
  }

  function paymentText(payment) {
    if (!payment || !payment.action) return "-";
    const name = PAYMENT_ACTIONS[payment.action] || payment.action;
    const when = PAYMENT_TIMES[payment.when] ? ` (${PAYMENT_TIMES[payment.when]})` : "";
    if (payment.action === "cancel_and_recharge") {
      return `취소 ${won(payment.cancel_amount)} → 재결제 ${won(payment.amount)}${when}`;
    }
    return (payment.amount ? `${name} ${won(payment.amount)}` : name) + when;
  }

  function listItems(list, items) {
    list.replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      if (item instanceof Node) li.append(item);
      else li.textContent = item;
      return li;
    }));
  }

  function showBlockers(blockers) {
    $("blockers-box").hidden = blockers.length === 0;
    listItems($("blockers"), blockers.map((code) => {
      const span = document.createElement("span");
      span.dataset.code = code;
      span.textContent = BLOCKER_ACTIONS[code] || code;
      return span;
    }));
  }

  function showQuote(quote) {
    $("quote-box").hidden = !quote;
    $("no-quote").hidden = Boolean(quote);
    if (!quote) return;
    setText("quote-fare", won(quote.fare));
    const range = quote.range;
    setText("quote-range", range ? `(범위 ${won(range.low)} ~ ${won(range.high)})` : "");
    const km = typeof quote.distance_m === "number" ? (quote.distance_m / 1000).toFixed(1) + "km" : "";
    const min = typeof quote.duration_s === "number" ? Math.round(quote.duration_s / 60) + "분" : "";
    const tariff = quote.tariff ? `${quote.tariff.name || quote.tariff.id} (${quote.tariff.version})` : "";
    const source = quote.route && ROUTE_SOURCES[quote.route.source];
    setText("quote-meta", [km, min, tariff, source].filter(Boolean).join(" · "));
    $("breakdown").replaceChildren(...(quote.breakdown || []).map((line) => {
      const row = document.createElement("tr");
      const name = document.createElement("th");
      const amount = document.createElement("td");
      name.scope = "row";
      name.textContent = line.label || line.code;
      amount.textContent = won(line.amount);
      row.dataset.code = line.code;
      row.append(name, amount);
      return row;
    }));
  }

  // How the estimate moved the charged fare, so the agent can say why (pricing/anchoring.py).
  function showAnchor(estimate, originalFare) {
    if (!estimate) {
      setText("anchor-line", "");
      return;
    }
    const own = won(estimate.original_route_fare);
    const changed = won(estimate.changed_route_fare);
    const formula = {
      delta: `기존 요금 ${won(originalFare)} + (변경 경로 ${changed} − 기존 경로 ${own})`,
      ratio: `기존 요금 ${won(originalFare)} × 변경 경로 ${changed} ÷ 기존 경로 ${own}`,
      estimate: `변경 경로 요금 ${changed}`,
    }[estimate.basis] || "";
    setText("anchor-line", `예상 조정 요금 ${won(estimate.fare)} = ${formula} (요금표 단위 정리)`);
  }

  function showWarnings(result) {
    const messages = (result.warnings || []).map((w) => (typeof w === "string" ? w : w.message || w.code));
    const quoteWarnings = (result.quote && result.quote.warnings) || [];
    const all = [...messages, ...quoteWarnings];
    $("warnings-box").hidden = all.length === 0;
    listItems($("warnings"), all);
  }

  function textBlock(title, text, key) {
    const box = document.createElement("div");
    box.className = "text-block";
    const head = document.createElement("div");
    head.className = "text-head";
    const h3 = document.createElement("h3");
    h3.textContent = title;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.dataset.copy = key;
    button.textContent = "복사";
    button.setAttribute("aria-label", `${title} 복사`);
    const body = document.createElement("pre");
    body.id = "text-" + key;
    body.textContent = text;
    head.append(h3, button);
    box.append(head, body);
    return box;
  }

  function showTexts(result) {
    const blocks = [];
    for (const [group, groupTitle, labels] of TEXT_GROUPS) {
      const texts = result[group] || {};
      for (const [name, value] of Object.entries(texts)) {
        // scripts are lists of lines; an SMS that does not apply is null
        const text = Array.isArray(value) ? value.join("\n") : value;
        if (typeof text !== "string" || !text) continue;
        blocks.push(textBlock(`${groupTitle} · ${labels[name] || name}`, text, `${group}-${name}`));
      }
    }
    if (result.category) blocks.push(textBlock("상담 유형", result.category, "category"));
    const steps = result.admin_steps || [];
    if (steps.length) {
      const text = steps.map((step, i) => `${i + 1}. ${step}`).join("\n");
      blocks.push(textBlock("어드민 처리 순서", text, "admin-steps"));
    }
    $("texts").replaceChildren(...blocks);
    $("texts").hidden = blocks.length === 0;
  }

  // ---------- Copy buttons ----------

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.append(area);
      area.select();
      const ok = document.execCommand("copy");
      area.remove();
      return ok;
    }
  }

  async function onCopy(button) {
    const key = button.dataset.copy;
    const source = key === "headline" ? $("headline") : $("text-" + key);
    if (!source) return;
    const ok = await copyText(source.textContent);
    const label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    button.textContent = ok ? "복사됨" : "복사 실패";
    button.classList.toggle("done", ok);
    setTimeout(() => {
      button.textContent = label;
      button.classList.remove("done");
    }, 1500);
  }

  // ---------- Place suggestions: an ARIA combobox on every stop input ----------

  let comboSeq = 0;

  function enhanceStop(input) {
    const listId = (input.id || "stop-" + ++comboSeq) + "-options";
    if (!input.id) input.id = "stop-" + comboSeq;
    const list = document.createElement("ul");
    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    (input.closest(".with-button") || input).after(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.autocomplete = "off";
    input.spellcheck = false;
    let timer = 0;
    let seq = 0;
    let active = -1;

    const options = () => [...list.querySelectorAll("[role=option]")];
    const close = () => {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    };
    const highlight = (index) => {
      const all = options();
      active = (index + all.length) % all.length;
      all.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    };
    const pick = (option) => {
      input.value = option.dataset.value;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    };
    const render = (places) => {
      list.replaceChildren(...places.map((place, i) => {
        const li = document.createElement("li");
        li.id = `${listId}-${i}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.value = place.full_name || place.name;
        li.textContent = place.full_name || place.name;
        return li;
      }));
      list.hidden = places.length === 0;
      input.setAttribute("aria-expanded", String(places.length > 0));
      active = -1;
    };
    const suggest = async () => {
      const text = input.value.trim();
      if (text.length < 1 || COORDINATES.test(text)) return close();
      const mine = ++seq;
      try {
        const response = await api(`/v1/places?q=${encodeURIComponent(text)}&limit=8`);
        const places = response.ok ? await response.json() : [];
        if (mine === seq && document.activeElement === input) render(places);
      } catch {
        close();
      }
    };

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(suggest, SUGGEST_DELAY_MS);
    });
    input.addEventListener("keydown", (event) => {
      const open = !list.hidden && options().length > 0;
      if (event.key === "ArrowDown" && open) highlight(active + 1);
      else if (event.key === "ArrowUp" && open) highlight(active - 1);
      else if (event.key === "Escape" && open) close();
      else if (event.key === "Enter" && open && active >= 0) pick(options()[active]);
      else {
        if (event.key === "Enter") close();
        return;
      }
      event.preventDefault();
      event.stopPropagation();
    });
    input.addEventListener("blur", () => {
      clearTimeout(timer);
      seq++;
      close();
    });
    // mousedown, not click: the input must not lose focus (and close the list) first.
    list.addEventListener("mousedown", (event) => {
      const option = event.target.closest("[role=option]");
      event.preventDefault();
      if (option) pick(option);
    });
  }

  // ---------- Waypoint rows ----------

  function relabel(container) {
    const rows = [...container.querySelectorAll(".waypoint-row")];
    rows.forEach((row, i) => {
      const input = row.querySelector("input.stop");
      const label = row.querySelector("label");
      label.textContent = `${container.dataset.label} ${i + 1}`;
      label.htmlFor = input.id;
      input.dataset.field = `${container.dataset.field}[${i}]`;
      row.querySelector(".remove").setAttribute("aria-label", `${label.textContent} 삭제`);
    });
  }

  function addWaypoint(container) {
    const row = $("stop-row").content.firstElementChild.cloneNode(true);
    const input = row.querySelector("input.stop");
    input.id = `${container.id}-${++comboSeq}`;
    row.querySelector(".field-error").id = input.id + "-error";
    container.append(row);
    enhanceStop(input);
    relabel(container);
    row.querySelector(".remove").addEventListener("click", () => {
      const next = row.nextElementSibling?.querySelector("input.stop");
      row.remove();
      relabel(container);
      (next || container.nextElementSibling).focus();
      scheduleQuote();
    });
    input.focus();
  }

  // ---------- Start-up ----------

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
    form.reset();
    for (const id of ["call-waypoints", "change-waypoints"]) $(id).replaceChildren();
    $("call-time").value = seoulNow();
    clearErrors();
    $("result-body").hidden = true;
    setStatus("호출 정보를 입력하면 안내 문장과 예상 요금이 여기에 표시됩니다.");
    $("call-type").focus();
  }

  function start() {
    $("call-time").value = seoulNow();
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
      if (event.key !== "Enter" || event.isComposing || target.matches("button, textarea")) return;
      event.preventDefault();
      quote(true);
    });
    // A half-typed place name is not worth asking about: stops count once picked or left.
    form.addEventListener("input", (event) => {
      const target = event.target;
      if (!target.matches("input.stop") || COORDINATES.test(target.value)) scheduleQuote();
    });
    form.addEventListener("change", scheduleQuote);
    $("reset-button").addEventListener("click", resetForm);
    document.addEventListener("click", (event) => {
      const button = event.target.closest("button.copy");
      if (button) onCopy(button);
    });
    loadTariffs();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
