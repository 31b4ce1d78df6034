// The agents' quoting form: reads the inputs, asks POST /v1/adjustments, shows the answer.
// Plain JavaScript on purpose: it must run offline, without a build step.
"use strict";

(() => {
  const KEY_STORAGE = "fare-service.api-key";
  const AGENT_STORAGE = "fare-service.agent-name";
  const AUTO_DELAY_MS = 450;
  const SUGGEST_DELAY_MS = 200;
  const COORDINATES = /^\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$/;
  const CALL_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
  const MAX_WON = 10_000_000;

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
      "기사가 고객과 함께 있지 않음: 이 안내로 재연결하지 않습니다. '(기사 함께 X) 고객_강제재연결 요청' 가이드로 진행",
    driver_consent_required:
      "기사님께 재연결(요금 조정 시 조정 요금 포함) 동의를 받은 뒤 '기사 동의'에 체크",
    customer_consent_required: "고객님께 조정 요금 동의를 받은 뒤 '고객 동의'에 체크",
    already_reconnected:
      "이미 한 번 강제 연결된 호출입니다(1회만 가능). 다시 연결하지 않고 앱에서 새로 호출하도록 안내",
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
  // Reminders every reconnection carries: kept in the "주의" tab. Any other warning is
  // about this call (a far stop, an agreed fare out of band...) and shows under the headline.
  const ROUTINE_WARNINGS = new Set([
    "meter_not_running", "link_once", "charge_takes_time", "pay_on_original_call",
    "write_ticket", "avoid_term",
  ]);
  // The tabs one key away (Alt+digit), in the call's order.
  const TABS = [
    ["opening", "첫 응대"],
    ["driver", "기사 안내"],
    ["sms", "SMS"],
    ["memo", "운영메모"],
    ["admin", "어드민 처리"],
    ["category", "상담 유형"],
    ["warnings", "주의"],
    ["breakdown", "요금 내역"],
  ];
  const SMS_LABELS = {
    fare_adjusted: "고객: 요금조정 완료",
    customer_unreachable: "고객: 부재 재인입 유도",
    driver_delay: "기사: 고객 부재 처리지연",
  };
  const MEMO_LABELS = { original_call: "원콜에 기재", forced_call: "강콜에 기재" };
  const ROUTE_SOURCES = {
    embedded: "직선거리 기반 추정 경로",
    osrm: "도로 경로",
    "osrm-fallback-embedded": "도로 경로 조회 실패, 추정 경로",
    caller: "입력한 경로",
    trace: "GPS 기록",
  };

  const $ = (id) => document.getElementById(id);
  const form = $("quote-form");
  const won = (n) => (typeof n === "number" ? n.toLocaleString("ko-KR") + "원" : "-");
  const signedWon = (n) => (typeof n === "number" && n > 0 ? "+" : "") + won(n);

  let autoTimer = 0;
  let requestSeq = 0;
  let inflight = null;
  let keyPrompt = null;
  let mapMissing = false; // the server has no /v1/route-map: stop asking
  let confirmedStops = ""; // the stops the agent confirmed after a confirm_stops warning
  let currentTab = "opening";
  const copyTexts = new Map(); // copy key -> the text the button copies

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
    return /^\d+$/.test(cleaned) ? Number(cleaned) : text.trim();
  }

  // 23000 -> 23,000 as the agent types, the caret kept after the same digit.
  function formatMoneyInput(input) {
    const before = input.value;
    const digitsBeforeCaret = before.slice(0, input.selectionStart ?? before.length).replace(/\D/g, "").length;
    const digits = before.replace(/[,\s원]/g, "");
    if (!/^\d+$/.test(digits)) return; // not a number: left as typed, the check names it
    const formatted = Number(digits).toLocaleString("ko-KR");
    if (formatted === before) return;
    input.value = formatted;
    let caret = 0;
    for (let seen = 0; caret < formatted.length && seen < digitsBeforeCaret; caret++) {
      if (/\d/.test(formatted[caret])) seen++;
    }
    input.setSelectionRange(caret, caret);
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

  const choice = (id) => $(id).value || null;
  // "call.waypoints[1].place" is within "call.waypoints[1]" and "call.waypoints".
  const within = (field, name) => field === name || field.startsWith(name + ".") || field.startsWith(name + "[");

  function readRequest() {
    const change = {
      destination: stopValue($("change-destination")),
      add_waypoints: stopsIn("change-waypoints"),
      agreed_fare: parseWon($("agreed-fare").value),
    };
    const changed = change.destination || change.add_waypoints.length || change.agreed_fare !== null;
    const reconnections = $("chk-reconnections").value.trim();
    const driving = choice("call-driving-started");
    const body = {
      call: {
        id: $("call-id").value.trim(),
        type: $("call-type").value,
        state: choice("call-state"),
        payment: choice("call-payment"),
        fare: parseWon($("call-fare").value),
        requested_at: $("call-time").value || seoulNow(),
        origin: stopValue($("call-origin")),
        waypoints: stopsIn("call-waypoints"),
        destination: stopValue($("call-destination")),
        driving_started: driving === null ? null : driving === "true",
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
    // Optional texts go only when typed, so a server that predates them still answers.
    for (const [id, name] of [["forced-call-id", "forced_call_id"], ["reason", "reason"], ["agent-name", "agent_name"]]) {
      const text = $(id).value.trim();
      if (text) body[name] = text;
    }
    return body;
  }

  // ---------- The form's own checks, in Korean, before anything is sent ----------

  const money = (value, limitLabel) => {
    if (typeof value !== "number") return "숫자(원)로 입력하세요. 예: 25,000";
    return value > MAX_WON ? `${limitLabel} 이하로 입력하세요` : null;
  };

  function stopProblem(stop) {
    if (!stop || stop.place !== undefined) return null;
    if (Math.abs(stop.lat) > 90 || Math.abs(stop.lon) > 180) return "좌표는 위도,경도 순서입니다. 예: 37.5,127.0";
    return null;
  }

  // Every problem the form can see itself: [{field, message}], the API's field paths.
  function checkRequest(body) {
    const problems = [];
    const add = (field, message) => message && problems.push({ field, message });
    const call = body.call;
    if (!call.id) add("call.id", "입력하세요");
    else if (!CALL_ID.test(call.id)) add("call.id", "영문·숫자·-_.: 만 쓸 수 있습니다");
    if (!call.state) add("call.state", "선택하세요");
    if (!call.payment) add("call.payment", "선택하세요");
    if (call.driving_started === null) add("call.driving_started", "선택하세요");
    else if (call.state === "completed" && !call.driving_started) {
      add("call.driving_started", "운행완료 콜은 운행을 시작한 콜입니다. '시작함'을 고르세요");
    }
    add("call.fare", call.fare === null ? "입력하세요" : money(call.fare, "1,000만 원"));
    if (!call.origin) add("call.origin", "입력하세요");
    if (!call.destination) add("call.destination", "입력하세요");
    add("call.origin", stopProblem(call.origin));
    add("call.destination", stopProblem(call.destination));
    call.waypoints.forEach((stop, i) => add(`call.waypoints[${i}]`, stopProblem(stop)));
    if (body.change) {
      add("change.destination", stopProblem(body.change.destination));
      body.change.add_waypoints.forEach((stop, i) => add(`change.add_waypoints[${i}]`, stopProblem(stop)));
      if (body.change.agreed_fare !== null) add("change.agreed_fare", money(body.change.agreed_fare, "1,000만 원"));
    }
    const count = body.checks.reconnections_so_far;
    if (typeof count !== "number" || count > 100) add("checks.reconnections_so_far", "0~100 사이의 숫자로 입력하세요");
    if (body.forced_call_id && !CALL_ID.test(body.forced_call_id)) {
      add("forced_call_id", "영문·숫자·-_.: 만 쓸 수 있습니다");
    }
    return problems;
  }

  function missingForAuto(body) {
    const call = body.call;
    return !call.id || call.fare === null || !call.origin || !call.destination ||
      !call.state || !call.payment || call.driving_started === null;
  }

  // The stops the form has no complaint about, each with its field in the adjustment.
  function stopsToCheck(body, problems) {
    const bad = (name) => problems.some((p) => within(String(p.field || ""), name));
    const change = body.change || {};
    const named = [
      [body.call.origin, "call.origin"],
      ...body.call.waypoints.map((stop, i) => [stop, `call.waypoints[${i}]`]),
      [body.call.destination, "call.destination"],
      ...(change.add_waypoints || []).map((stop, i) => [stop, `change.add_waypoints[${i}]`]),
      [change.destination, "change.destination"],
    ];
    return named.filter(([stop, field]) => stop && !bad(field));
  }

  // The API checks a body's fields before its places, and stops at the first stage that
  // fails, so the form asks about each stop on its own (POST /v1/quotes from the stop to
  // itself: the same place search and the same "in Korea" check): every problem shows in
  // the same round, and no adjustment is asked for with choices the agent has not made.
  async function stopProblemsFromServer(body, problems, signal) {
    const checks = stopsToCheck(body, problems).map(async ([stop, field]) => {
      const response = await api("/v1/quotes", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ origin: stop, destination: stop }),
        signal,
      });
      if (response.ok) return [];
      const answer = await response.json().catch(() => ({}));
      return serverErrors(answer)
        .filter((error) => /^(origin|destination)\b/.test(error.field))
        .slice(0, 1) // the same stop twice: one answer
        .map((error) => ({ ...error, field: field + error.field.replace(/^(origin|destination)/, "") }));
    });
    try {
      return (await Promise.all(checks)).flat();
    } catch (error) {
      if (error.name === "AbortError") throw error;
      return [];
    }
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

  // ---------- The route map (POST /v1/route-map); without it the form shows no map ----------

  async function fetchMap(body, signal) {
    if (mapMissing) return null;
    const change = body.change || {};
    const request = {
      origin: body.call.origin,
      waypoints: [...body.call.waypoints, ...(change.add_waypoints || [])],
      destination: body.call.destination,
      changed_destination: change.destination || null,
    };
    try {
      const response = await api("/v1/route-map", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "image/svg+xml" },
        body: JSON.stringify(request),
        signal,
      });
      if (response.status === 404 || response.status === 405) mapMissing = true;
      if (!response.ok) return null;
      return await response.text();
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

  // ---------- Problems: every one at once, in Korean, beside its input and in a list ----------

  const MESSAGES = [
    [/valid integer|unable to parse string as an integer/i, "숫자로 입력하세요"],
    [/greater than or equal to (\S+)/i, (m) => `${Number(m[1]).toLocaleString("ko-KR")} 이상이어야 합니다`],
    [/less than or equal to (\S+)/i, (m) => `${Number(m[1]).toLocaleString("ko-KR")} 이하여야 합니다`],
    [/at least 1 character|field required|valid dictionary|an object|valid boolean/i, "입력하세요"],
    [/at most (\d+) characters?/i, (m) => `${m[1]}자 이내로 입력하세요`],
    [/should match pattern|string_pattern/i, "영문·숫자·-_.: 만 쓸 수 있습니다"],
    [/valid datetime|datetime|time zone|no version in force|between 2000/i, "호출 일시를 확인해 주세요"],
    [/lat and lon, or place/i, "장소 이름 또는 좌표(37.5,127.0)를 입력하세요"],
    [/no Korean place named|no place/i, "찾을 수 없는 장소입니다. 동 이름을 확인하세요"],
    [/could be \d+ places/i, "여러 곳이 있습니다. 구·시를 붙이거나 목록에서 고르세요"],
    [/not in South Korea|outside \[/i, "국내 좌표가 아닙니다. 위도,경도를 확인하세요"],
    [/waypoints; at most (\d+)/i, (m) => `경유지는 ${m[1]}곳까지입니다`],
    [/extra inputs/i, "이 서버가 받지 않는 항목입니다"],
    [/driving_started must be true|was driven/i, "운행완료 콜은 운행을 시작한 콜입니다. '시작함'을 고르세요"],
    [/valid option|input should be '/i, "목록에서 고르세요"],
  ];

  function korean(message) {
    for (const [pattern, text] of MESSAGES) {
      const match = pattern.exec(message || "");
      if (match) return typeof text === "function" ? text(match) : text;
    }
    return "입력값을 확인해 주세요"; // never the server's English
  }

  function inputForField(field) {
    // "call.waypoints[1].place" -> the second waypoint's input; the longest match wins.
    let best = null;
    for (const element of form.querySelectorAll("[data-field]")) {
      const name = element.dataset.field;
      if (within(field, name) && element.matches("input, select") && (!best || name.length > best.dataset.field.length)) {
        best = element;
      }
    }
    return best;
  }

  function labelOf(input) {
    if (!input) return "입력";
    if (input.dataset.label) return input.dataset.label;
    const label = input.id && form.querySelector(`label[for="${input.id}"]`);
    return label ? label.textContent.trim() : "입력";
  }

  // problems: [{field, message (Korean), candidates?}] -> beside each input and in the list.
  function showProblems(problems, explicit) {
    clearErrors();
    const lines = [];
    const seen = new Set();
    const placed = problems.map((problem) => [problem, inputForField(String(problem.field || ""))]);
    // in the form's order, top to bottom, whichever check found them
    const order = [...form.querySelectorAll("[data-field]")];
    placed.sort(([, a], [, b]) => (a ? order.indexOf(a) : 1e9) - (b ? order.indexOf(b) : 1e9));
    for (const [problem, input] of placed) {
      const candidates = (problem.candidates || []).slice(0, 4);
      const hint = candidates.length ? ` (후보: ${candidates.join(", ")})` : "";
      const text = problem.message + hint;
      const key = (input ? input.id : problem.field) + text;
      if (seen.has(key)) continue;
      seen.add(key);
      if (input) showFieldError(input, text, problem.original);
      lines.push([input, `${labelOf(input)}: ${text}`]);
    }
    $("form-error-title").textContent = `확인할 항목 ${lines.length}개`;
    $("form-error-list").replaceChildren(...lines.map(([input, text]) => {
      const li = document.createElement("li");
      li.textContent = text;
      if (input) {
        li.tabIndex = -1;
        li.addEventListener("click", () => input.focus());
      }
      return li;
    }));
    $("form-error").hidden = lines.length === 0;
    setStatus("입력값을 확인해 주세요 (왼쪽 빨간 안내).", true);
    // An answer for other inputs must not pass for this one's: keep it visible, but faded.
    $("result-body").classList.add("stale");
    const first = lines.find(([input]) => input);
    if (explicit && first) first[0].focus();
  }

  // A problem document's field errors, in Korean. Candidates belong to an ambiguous place:
  // an error's own list, or the document's when only one place is ambiguous.
  function serverErrors(problem) {
    const errors = Array.isArray(problem.errors) ? problem.errors : [];
    const ambiguous = errors.filter((e) => /could be \d+ places/i.test(e.message || ""));
    return errors.map((e) => ({
      field: String(e.field || ""),
      message: korean(e.message),
      original: e.message,
      candidates: e.candidates || (ambiguous.length === 1 && ambiguous[0] === e ? problem.candidates : null),
    }));
  }

  function showServerProblem(problem, status, explicit) {
    const errors = serverErrors(problem);
    if (errors.length) {
      showProblems(errors, explicit);
      return;
    }
    clearErrors();
    const text = status === 401 ? "API 키가 필요합니다." : status >= 500
      ? `서버 오류입니다 (${status}). 잠시 후 다시 시도하고, 계속되면 관리자에게 알려 주세요.`
      : `요청을 처리하지 못했습니다 (${status}).`;
    $("form-error-title").textContent = text;
    $("form-error-list").replaceChildren();
    $("form-error").hidden = false;
    setStatus(text, true);
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
    slot.textContent = slot.hidden || !slot.textContent ? text : `${slot.textContent} · ${text}`;
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

  // scripts.* are lists of lines; a plain string (SMS, memos, older servers' scripts) is
  // split into its lines, blank ones kept: an SMS's empty line is part of its layout.
  function linesOf(text) {
    if (Array.isArray(text)) return text.filter((line) => typeof line === "string" && line);
    return typeof text === "string" && text.trim() ? text.replace(/\n+$/, "").split("\n") : [];
  }

  // What a copy button copies: a string exactly as the API wrote it, a list line by line.
  const copyable = (text) => (Array.isArray(text) ? linesOf(text).join("\n") : text);

  // Payment figures apply when money moves on this call: a reconnection, or a declined
  // consigned call whose driver collects cash. Otherwise the agent sees what to do instead.
  function paymentApplies(result) {
    const action = result.payment && result.payment.action;
    return result.outcome === "reconnect" || (result.outcome === "decline" && action && action !== "none");
  }

  function showResult(result, body, explicit) {
    $("result-status").hidden = true;
    $("result-body").hidden = false;
    $("result-body").classList.remove("stale");
    const [label, tone] = OUTCOMES[result.outcome] || [result.outcome || "", "warn"];
    const warnings = result.warnings || [];
    const confirmStops = warnings.some((w) => w && w.code === "confirm_stops");
    setText("outcome", confirmStops ? `${label} · 경유지·목적지 확인 필요` : label);
    $("headline-box").dataset.tone = confirmStops ? "stop" : tone;
    setText("headline", result.headline || label);
    copyTexts.set("headline", result.headline || label);
    showNotices(warnings);
    showTodo(result);
    showAmounts(result);
    showTexts(result);
    askToConfirm(confirmStops, warnings, body, explicit);
  }

  function showNotices(warnings) {
    const notices = warnings.filter((w) => w && !ROUTINE_WARNINGS.has(w.code));
    $("notices").hidden = notices.length === 0;
    listItems($("notices"), notices.map((w) => {
      const span = document.createElement("span");
      span.dataset.code = w.code;
      span.textContent = w.message || w.code;
      return span;
    }));
  }

  function showTodo(result) {
    const blockers = result.blockers || [];
    let title = "";
    let items = [];
    if (blockers.length) {
      title = "진행 전 필요한 조치";
      items = blockers.map((code) => {
        const span = document.createElement("span");
        span.dataset.code = code;
        span.textContent = BLOCKER_ACTIONS[code] || code;
        return span;
      });
    } else if (!paymentApplies(result)) {
      title = result.outcome === "refer_to_situation_room" ? "상황실 안내: 할 일" : "할 일 (결제 안내 없음)";
      items = result.admin_steps || [];
    }
    $("todo-box").hidden = items.length === 0;
    $("todo-box").dataset.tone = blockers.length ? "stop" : "warn";
    setText("todo-title", title);
    listItems($("todo"), items);
  }

  function showAmounts(result) {
    const applies = paymentApplies(result);
    const referral = result.outcome === "refer_to_situation_room";
    $("amounts").hidden = referral;
    for (const figure of document.querySelectorAll("#amounts .money-only")) figure.hidden = !applies;
    setText("original-fare", won(result.original_fare));
    const source = FARE_SOURCES[result.fare_source];
    setText("adjusted-fare", won(result.adjusted_fare) + (source ? ` (${source})` : ""));
    setText("fare-delta", typeof result.fare_delta === "number" ? signedWon(result.fare_delta) : "-");
    setText("payment-action", paymentText(result.payment));
    setText("insured", result.insured === true ? "적용" : result.insured === false ? "적용 안 됨" : "-");
    const estimate = result.estimate;
    $("estimate-box").hidden = !estimate;
    $("no-quote").hidden = Boolean(estimate) || Boolean(result.quote);
    if (estimate) {
      setText("route-fare-original", won(estimate.original_route_fare));
      setText("route-fare-changed", won(estimate.changed_route_fare));
      setText("estimate-fare", won(estimate.fare));
      setText("estimate-fare-label", applies ? "예상 조정 요금" : "조건 충족 시 예상 요금");
    }
    showAnchor(estimate, result.original_fare, result.quote);
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

  // How the estimate moved the charged fare, so the agent can say why (pricing/anchoring.py).
  function showAnchor(estimate, originalFare, quote) {
    const parts = [];
    if (estimate) {
      const own = won(estimate.original_route_fare);
      const changed = won(estimate.changed_route_fare);
      const formula = {
        delta: `기존 요금 ${won(originalFare)} + (변경 경로 ${changed} − 기존 경로 ${own})`,
        ratio: `기존 요금 ${won(originalFare)} × 변경 경로 ${changed} ÷ 기존 경로 ${own}`,
        estimate: `변경 경로 요금 ${changed}`,
      }[estimate.basis] || "";
      parts.push(`${won(estimate.fare)} = ${formula}`);
    }
    if (quote) {
      const km = typeof quote.distance_m === "number" ? (quote.distance_m / 1000).toFixed(1) + "km" : "";
      const min = typeof quote.duration_s === "number" ? Math.round(quote.duration_s / 60) + "분" : "";
      parts.push(["변경 경로", km, min].filter(Boolean).join(" "));
    }
    $("anchor-line").replaceChildren(...parts.flatMap((text, i) => {
      const span = document.createElement("span");
      if (i) span.className = "nowrap"; // "19.9km 40분" never breaks from its unit
      span.textContent = text;
      return i ? [" · ", span] : [span];
    }));
  }

  function listItems(list, items) {
    list.replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      if (item instanceof Node) li.append(item);
      else li.textContent = item;
      return li;
    }));
  }

  // ---------- The stops to confirm when the route is implausibly long ----------

  function stopLines(body) {
    const name = (stop) => (stop ? stop.place || `${stop.lat},${stop.lon}` : "");
    const change = body.change || {};
    const lines = [["출발지", body.call.origin]];
    body.call.waypoints.forEach((s, i) => lines.push([`경유지 ${i + 1}`, s]));
    lines.push(["도착지", body.call.destination]);
    (change.add_waypoints || []).forEach((s, i) => lines.push([`추가 경유지 ${i + 1}`, s]));
    if (change.destination) lines.push(["변경된 도착지", change.destination]);
    return lines.map(([label, stop]) => `${label}: ${name(stop)}`);
  }

  function askToConfirm(needed, warnings, body, explicit) {
    const key = JSON.stringify(stopLines(body));
    const waiting = needed && confirmedStops !== key;
    $("confirm-box").hidden = !waiting;
    $("texts").hidden = waiting;
    $("confirm-box").dataset.stops = key;
    if (!waiting) return;
    const warning = warnings.find((w) => w.code === "confirm_stops");
    setText("confirm-message", warning ? warning.message : "");
    listItems($("confirm-stops"), stopLines(body));
    if (explicit) $("confirm-button").focus();
  }

  function confirmStops() {
    if ($("confirm-box").hidden) return;
    confirmedStops = $("confirm-box").dataset.stops || "";
    $("confirm-box").hidden = true;
    $("texts").hidden = false;
    $("outcome").textContent = $("outcome").textContent.replace(" · 경유지·목적지 확인 필요", " · 경유지·목적지 확인함");
  }

  // ---------- Texts: the script to read now, and the others one key away ----------

  function textBlock(title, lines, key, copy = lines.join("\n")) {
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
    const list = document.createElement("ol");
    list.className = "lines";
    list.id = "text-" + key;
    listItems(list, lines);
    copyTexts.set(key, copy);
    head.append(h3, button);
    box.append(head, list);
    return box;
  }

  function tabContents(result) {
    const scripts = result.scripts || {};
    const sms = Object.entries(result.sms || {}).filter(([, text]) => typeof text === "string" && text);
    const memos = Object.entries(result.memo || {}).filter(([, text]) => typeof text === "string" && text);
    const steps = (result.admin_steps || []).map((step, i) => `${i + 1}. ${step}`);
    const warnings = [
      ...(result.warnings || []).map((w) => (typeof w === "string" ? w : w.message || w.code)),
      ...((result.quote && result.quote.warnings) || []),
    ];
    const block = (title, text, key) => textBlock(title, linesOf(text), key, copyable(text));
    const one = (title, text, key) => (linesOf(text).length ? [block(title, text, key)] : []);
    return {
      opening: one("첫 응대 (고객)", scripts.opening, "scripts-opening"),
      driver: one("기사 안내", scripts.driver, "scripts-driver"),
      sms: sms.map(([name, text]) => block(`SMS · ${SMS_LABELS[name] || name}`, text, `sms-${name}`)),
      memo: memos.map(([name, text]) => block(`운영메모 · ${MEMO_LABELS[name] || name}`, text, `memo-${name}`)),
      admin: steps.length ? [textBlock("어드민 처리 순서", steps, "admin-steps")] : [],
      category: result.category ? [textBlock("상담 유형", [result.category], "category")] : [],
      warnings: warnings.length ? [textBlock("주의 사항", warnings, "warnings")] : [],
      breakdown: result.quote ? [breakdownBlock(result.quote)] : [],
    };
  }

  function breakdownBlock(quote) {
    const box = document.createElement("div");
    box.className = "text-block";
    const table = document.createElement("table");
    table.className = "breakdown";
    const body = document.createElement("tbody");
    body.id = "breakdown";
    body.append(...(quote.breakdown || []).map((line) => {
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
    const total = document.createElement("p");
    total.className = "estimate";
    const fare = document.createElement("strong");
    fare.id = "quote-fare";
    fare.textContent = won(quote.fare);
    const range = quote.range ? ` (범위 ${won(quote.range.low)} ~ ${won(quote.range.high)})` : "";
    total.append("변경 경로 요금 ", fare, range);
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.id = "quote-meta";
    const tariff = quote.tariff ? `${quote.tariff.name || quote.tariff.id} (${quote.tariff.version})` : "";
    const source = quote.route && ROUTE_SOURCES[quote.route.source];
    meta.textContent = [tariff, source].filter(Boolean).join(" · ");
    table.append(body);
    box.append(total, table, meta);
    return box;
  }

  function showTexts(result) {
    const customer = linesOf((result.scripts || {}).customer);
    listItems($("text-scripts-customer"), customer);
    copyTexts.set("scripts-customer", copyable((result.scripts || {}).customer) || "");
    const contents = tabContents(result);
    const tabs = [];
    const panels = [];
    TABS.forEach(([name, title], i) => {
      const blocks = contents[name];
      const tab = document.createElement("button");
      tab.type = "button";
      tab.id = `tab-${name}`;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", `panel-${name}`);
      tab.dataset.tab = name;
      tab.textContent = `${title}${name === "sms" || name === "memo" ? ` ${blocks.length}` : ""}`;
      tab.title = `Alt+${i + 1}`;
      tab.hidden = blocks.length === 0;
      const panel = document.createElement("div");
      panel.id = `panel-${name}`;
      panel.className = "tab-panel";
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.append(...blocks);
      tabs.push(tab);
      panels.push(panel);
    });
    $("tabs").replaceChildren(...tabs);
    $("tab-panels").replaceChildren(...panels);
    const visible = TABS.map(([name]) => name).filter((name) => contents[name].length);
    selectTab(visible.includes(currentTab) ? currentTab : visible[0], false);
  }

  function selectTab(name, focus) {
    if (!name) return;
    currentTab = name;
    for (const tab of $("tabs").querySelectorAll("[role=tab]")) {
      const selected = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      $(tab.getAttribute("aria-controls")).hidden = !selected;
      if (selected && focus) tab.focus();
    }
  }

  function onTabKey(event) {
    const tabs = [...$("tabs").querySelectorAll("[role=tab]:not([hidden])")];
    const index = tabs.indexOf(document.activeElement);
    if (index < 0) return;
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    selectTab(tabs[(index + step + tabs.length) % tabs.length].dataset.tab, true);
  }

  function onShortcut(event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "Enter" && !$("confirm-box").hidden && !$("result-body").hidden) {
      event.preventDefault();
      event.stopPropagation();
      confirmStops();
      return;
    }
    const digit = /^Digit([1-9])$/.exec(event.code);
    const entry = digit && TABS[Number(digit[1]) - 1];
    if (!entry || $("result-body").hidden || $("texts").hidden) return;
    const tab = $(`tab-${entry[0]}`);
    if (!tab || tab.hidden) return;
    event.preventDefault();
    selectTab(entry[0], true);
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
    const text = copyTexts.get(button.dataset.copy);
    if (text === undefined) return;
    const ok = await copyText(text);
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

  // The origin's coordinates once known (typed, or a picked suggestion's): the API ranks
  // the other stops' suggestions by distance from it.
  function originPoint() {
    const origin = $("call-origin");
    const typed = stopValue(origin);
    if (typed && typed.lat !== undefined) return `${typed.lat},${typed.lon}`;
    return origin.dataset.point && origin.dataset.picked === origin.value ? origin.dataset.point : null;
  }

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
      input.dataset.picked = option.dataset.value;
      input.dataset.point = option.dataset.point;
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
        li.dataset.point = `${place.lat},${place.lon}`;
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
      const near = input.id === "call-origin" ? null : originPoint();
      const query = `q=${encodeURIComponent(text)}&limit=8` + (near ? `&near=${encodeURIComponent(near)}` : "");
      try {
        const response = await api(`/v1/places?${query}`);
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
      input.dataset.label = label.textContent;
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
    const agent = $("agent-name").value;
    form.reset();
    $("agent-name").value = agent; // the agent stays the same person
    for (const id of ["call-waypoints", "change-waypoints"]) $(id).replaceChildren();
    $("call-time").value = seoulNow();
    clearErrors();
    confirmedStops = "";
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

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
