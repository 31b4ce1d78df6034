// Problems: every one at once, in Korean, beside its input and in a list at the top.
"use strict";

(() => {
  const F = window.fareForm;
  const { $, form, within, setStatus } = F;
  // from the other files, looked up when called
  const api = (...args) => F.api(...args);

  const MESSAGES = [
    [/valid integer|unable to parse string as an integer/i, "숫자로 입력하세요"],
    [/greater than or equal to (\S+)/i, (m) => `${Number(m[1]).toLocaleString("ko-KR")} 이상이어야 합니다`],
    [/less than or equal to (\S+)/i, (m) => `${Number(m[1]).toLocaleString("ko-KR")} 이하여야 합니다`],
    [/at least 1 character|field required|valid dictionary|an object|valid boolean/i, "입력하세요"],
    [/at most (\d+) characters?/i, (m) => `${m[1]}자 이내로 입력하세요`],
    [/should match pattern|string_pattern/i, "영문·숫자·-_.: 만 쓸 수 있습니다"],
    [/valid datetime|datetime|date-time|time zone|no version in force|must be between \d{4}/i, "호출 일시를 확인해 주세요"],
    [/0 won or more/i, "0원 이상이어야 합니다"],
    [/legs must add up to at most/i, "경로가 너무 깁니다. 출발지·경유지·도착지를 확인하세요"],
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

  Object.assign(F, { showProblems, serverErrors, showServerProblem, clearErrors, stopProblemsFromServer });
})();
