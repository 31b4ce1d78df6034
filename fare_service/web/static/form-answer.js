// The answer: headline, what to do, the amounts, and the stops to confirm on a long route.
"use strict";

(() => {
  const F = window.fareForm;
  const { $, won, signedWon, setText, listItems, copyTexts } = F;
  // from the other files, looked up when called
  const showTexts = (...args) => F.showTexts(...args);

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

  let confirmedStops = ""; // the stops the agent confirmed after a confirm_stops warning

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
    const farStops = warnings.some((w) => w && w.code === "confirm_stops");
    const confirmed = confirmedStops === stopsKey(body);
    setText("outcome", farStops ? `${label} · 경유지·목적지 ${confirmed ? "확인함" : "확인 필요"}` : label);
    $("headline-box").dataset.tone = farStops ? "stop" : tone;
    setText("headline", result.headline || label);
    copyTexts.set("headline", result.headline || label);
    showNotices(warnings);
    showTodo(result);
    showAmounts(result, body);
    showTexts(result);
    askToConfirm(farStops && !confirmed, warnings, body, explicit);
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

  // Blockers nothing on this call can clear, in the policy's precedence: when one is there,
  // asking to fix the others (consents, re-calling, off duty) would only waste the call.
  const UNCLEARABLE = ["identity_not_verified", "driver_not_present", "already_reconnected"];

  function blockersToShow(result) {
    const blockers = result.blockers || [];
    const final = UNCLEARABLE.filter((code) => blockers.includes(code));
    return final.length ? final : blockers;
  }

  function showTodo(result) {
    const blockers = blockersToShow(result);
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

  function showAmounts(result, body) {
    const applies = paymentApplies(result);
    // No amount applies to a referral, nor to a call no one can reconnect now.
    const final = (result.blockers || []).some((code) => UNCLEARABLE.includes(code));
    $("amounts").hidden = result.outcome === "refer_to_situation_room" || final;
    for (const figure of document.querySelectorAll("#amounts .money-only")) figure.hidden = !applies;
    setText("original-fare", won(result.original_fare));
    const source = FARE_SOURCES[result.fare_source || fareSource(result, body)];
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
      const label = result.outcome === "blocked" ? "조건 충족 시 예상 요금" : "예상 요금 (참고)";
      setText("estimate-fare-label", applies ? "예상 조정 요금" : label);
    }
    showAnchor(estimate, result.original_fare, result.quote);
  }

  // Where the adjusted fare came from, as the request shows it: the agreed fare wins over
  // the estimate, and without a change the original fare stands.
  function fareSource(result, body) {
    const change = body.change || {};
    if (typeof change.agreed_fare === "number") return "agreed";
    return result.estimate ? "estimate" : "original";
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

  const stopsKey = (body) => JSON.stringify(stopLines(body));

  // The scripts wait until the agent has read the stops back to the customer; confirmed
  // stops stay confirmed while they do not change.
  function askToConfirm(waiting, warnings, body, explicit) {
    $("confirm-box").hidden = !waiting;
    $("texts").hidden = waiting;
    $("confirm-box").dataset.stops = stopsKey(body);
    if (!waiting) return;
    const warning = warnings.find((w) => w.code === "confirm_stops");
    setText("confirm-message", warning ? warning.message : "");
    listItems($("confirm-stops"), stopLines(body));
    if (explicit) $("confirm-button").focus();
  }

  function forgetConfirmedStops() {
    confirmedStops = "";
  }

  function confirmStops() {
    if ($("confirm-box").hidden) return;
    confirmedStops = $("confirm-box").dataset.stops || "";
    $("confirm-box").hidden = true;
    $("texts").hidden = false;
    $("outcome").textContent = $("outcome").textContent.replace(" · 경유지·목적지 확인 필요", " · 경유지·목적지 확인함");
  }

  Object.assign(F, { showResult, confirmStops, forgetConfirmedStops });
})();
