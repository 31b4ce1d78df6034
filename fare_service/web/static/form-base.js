// The form's shared pieces: the namespace every other file registers on, and small helpers.
"use strict";

(() => {
  // Every file of the form registers its pieces here; app.js starts the page.
  const F = (window.fareForm = window.fareForm || {});
  const COORDINATES = /^\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$/;
  const $ = (id) => document.getElementById(id);
  const form = $("quote-form");
  const won = (n) => (typeof n === "number" ? n.toLocaleString("ko-KR") + "원" : "-");
  const signedWon = (n) => (typeof n === "number" && n > 0 ? "+" : "") + won(n);

  // "call.waypoints[1].place" is within "call.waypoints[1]" and "call.waypoints".
  const within = (field, name) => field === name || field.startsWith(name + ".") || field.startsWith(name + "[");

  function setText(id, value) {
    $(id).textContent = value;
  }

  function setStatus(text, isError = false) {
    const status = $("result-status");
    status.textContent = text;
    status.classList.toggle("error", isError);
    status.hidden = false;
  }

  function listItems(list, items) {
    list.replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      if (item instanceof Node) li.append(item);
      else li.textContent = item;
      return li;
    }));
  }

  // scripts.* are lists of lines; a plain string (SMS, memos, older servers' scripts) is
  // split into its lines, blank ones kept: an SMS's empty line is part of its layout.
  function linesOf(text) {
    if (Array.isArray(text)) return text.filter((line) => typeof line === "string" && line);
    return typeof text === "string" && text.trim() ? text.replace(/\n+$/, "").split("\n") : [];
  }

  // What a copy button copies: a string exactly as the API wrote it, a list line by line.
  const copyable = (text) => (Array.isArray(text) ? linesOf(text).join("\n") : text);
  const copyTexts = new Map(); // copy key -> the text the button copies

  Object.assign(F, { COORDINATES, $, form, won, signedWon, within, setText, setStatus, listItems, linesOf, copyable, copyTexts });
})();
