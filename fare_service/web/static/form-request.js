// Reading the form into the adjustment request, and the form's own checks, in Korean.
"use strict";

(() => {
  const F = window.fareForm;
  const { $, COORDINATES } = F;
  const CALL_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
  const MAX_WON = 10_000_000;

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
    // Optional texts go only when typed.
    for (const [id, name] of [["forced-call-id", "forced_call_id"], ["reason", "reason"], ["agent-name", "agent_name"]]) {
      const text = $(id).value.trim();
      if (text) body[name] = text;
    }
    return body;
  }

  const money = (value) => {
    if (typeof value !== "number") return "숫자(원)로 입력하세요. 예: 25,000";
    return value > MAX_WON ? "1,000만 원 이하로 입력하세요" : null;
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
    add("call.fare", call.fare === null ? "입력하세요" : money(call.fare));
    const year = Number(call.requested_at.slice(0, 4));
    if (!(year >= 2000 && year <= 2100)) add("call.requested_at", "2000년부터 2100년 사이로 입력하세요");
    if (!call.origin) add("call.origin", "입력하세요");
    if (!call.destination) add("call.destination", "입력하세요");
    add("call.origin", stopProblem(call.origin));
    add("call.destination", stopProblem(call.destination));
    call.waypoints.forEach((stop, i) => add(`call.waypoints[${i}]`, stopProblem(stop)));
    if (body.change) {
      add("change.destination", stopProblem(body.change.destination));
      body.change.add_waypoints.forEach((stop, i) => add(`change.add_waypoints[${i}]`, stopProblem(stop)));
      if (body.change.agreed_fare !== null) add("change.agreed_fare", money(body.change.agreed_fare));
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

  Object.assign(F, { formatMoneyInput, stopValue, seoulNow, readRequest, checkRequest, missingForAuto });
})();
