// Texts: the script to read now, the others in tabs one key away, each with its copy button.
"use strict";

(() => {
  const F = window.fareForm;
  const { $, won, listItems, linesOf, copyable, copyTexts } = F;
  // from the other files, looked up when called
  const confirmStops = (...args) => F.confirmStops(...args);

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

  let currentTab = "opening";

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

  Object.assign(F, { showTexts, selectTab, onTabKey, onShortcut, onCopy });
})();
