// Stops: place suggestions (an ARIA combobox on every stop input) and waypoint rows.
"use strict";

(() => {
  const F = window.fareForm;
  const { $, COORDINATES } = F;
  // from the other files, looked up when called
  const api = (...args) => F.api(...args);
  const stopValue = (...args) => F.stopValue(...args);
  const scheduleQuote = (...args) => F.scheduleQuote(...args);
  const SUGGEST_DELAY_MS = 200;
  let comboSeq = 0;

  // The origin's coordinates once known (typed, or a picked suggestion's): the API ranks
  // the other stops' suggestions by distance from it.
  // An origin typed in full (not picked) is looked up once it is left: when the search
  // finds it exactly, its point ranks the other stops' suggestions too.
  async function locateOrigin() {
    const origin = $("call-origin");
    const text = origin.value.trim();
    if (!text || COORDINATES.test(text) || origin.dataset.picked === origin.value) return;
    try {
      const response = await api(`/v1/places?q=${encodeURIComponent(text)}&limit=2`);
      const places = response.ok ? await response.json() : [];
      const exact = places.filter((p) => p.full_name === text || p.name === text);
      const place = places.length === 1 ? places[0] : exact.length === 1 ? exact[0] : null;
      if (place && origin.value.trim() === text) {
        origin.dataset.picked = origin.value;
        origin.dataset.point = `${place.lat},${place.lon}`;
      }
    } catch {
      // no point: suggestions keep the server's default order
    }
  }

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

  Object.assign(F, { locateOrigin, enhanceStop, addWaypoint });
})();
