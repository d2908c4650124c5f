// Shared by the web page (/app) and the room display (/device): the API, the event stream,
// strings, the service's time and time-zone arithmetic. Plain script, no build step.
// The service decides what "now" is: every clock on the page is the browser's clock plus the
// offset to the service's `now` from its last answer, never the device's own idea of the day.
"use strict";

const HC = (() => {
  let auth = null; // the Authorization header value
  let offset = 0; // service time minus browser time, in ms
  let strings = {};
  let locale = "en";
  let zone = "UTC";
  const counters = {};

  function setAuth(value) { auth = value; }

  // Count an occurrence of `name` on <body data-NAME> and tell listeners ("hc:NAME").
  function emit(name, detail = {}) {
    counters[name] = (counters[name] || 0) + 1;
    document.body.dataset[name] = String(counters[name]);
    document.dispatchEvent(new CustomEvent(`hc:${name}`, { detail }));
    if (name === "render" && counters.render === 1) { // first paint of the meetings, for bench/
      performance.mark("hc:rendered");
      requestAnimationFrame(() => setTimeout(() => performance.mark("hc:painted"), 0));
    }
  }

  async function api(path, options = {}) {
    const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    if (auth) headers.Authorization = auth;
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method: options.method || "GET", headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const body = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      const error = new Error((body && body.error && body.error.message) || response.statusText);
      error.status = response.status;
      throw error;
    }
    if (body && typeof body.now === "string") sync(body.now);
    return body;
  }

  // Server-Sent Events over fetch (EventSource cannot send an Authorization header). A stream
  // that ends or drops reconnects after the server's `retry`, sending the last id it saw.
  function stream(path, onEvent) {
    let lastId = null;
    let retry = 2000;
    let stopped = false;
    function dispatch(block) {
      let event = "message", data = "", id = null;
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
        else if (line.startsWith("id: ")) id = line.slice(4);
        else if (line.startsWith("retry: ")) retry = Number(line.slice(7)) || retry;
      }
      if (id) lastId = id;
      if (data) onEvent(event, JSON.parse(data), id);
    }
    async function connect() {
      while (!stopped) {
        try {
          const headers = { Authorization: auth, Accept: "text/event-stream" };
          if (lastId) headers["Last-Event-ID"] = lastId;
          const response = await fetch(path, { headers });
          if (response.status === 401 || response.status === 403) { stopped = true; onEvent("denied", {}); return; }
          if (!response.ok) throw new Error(response.statusText);
          emit("streams", { lastId });
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          let buffer = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true });
            let cut;
            while ((cut = buffer.indexOf("\n\n")) >= 0) {
              dispatch(buffer.slice(0, cut));
              buffer = buffer.slice(cut + 2);
            }
          }
        } catch (err) { /* network trouble: reconnect below */ }
        if (!stopped) await new Promise((resolve) => setTimeout(resolve, retry));
      }
    }
    connect();
    return () => { stopped = true; };
  }

  // ---------------------------------------------------------------- strings

  function setLanguage(answer) {
    strings = answer.strings || {};
    locale = answer.locale || "en";
    zone = answer.time_zone || zone;
    try { Intl.getCanonicalLocales(locale); } catch (err) { locale = "en"; }
    document.documentElement.lang = locale;
    translatePage(document);
  }

  // `t("Free until {time}", {time: "11:00"})`: the catalog's text, or the English id.
  function t(id, values = {}) {
    const text = strings[id] || id;
    return text.replace(/\{(\w+)\}/g, (all, key) => (key in values ? String(values[key]) : all));
  }

  // Elements name their strings: data-t (text), data-t-label (aria-label), data-t-placeholder, data-t-title.
  function translatePage(root) {
    for (const node of root.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
    for (const node of root.querySelectorAll("[data-t-label]")) node.setAttribute("aria-label", t(node.dataset.tLabel));
    for (const node of root.querySelectorAll("[data-t-placeholder]")) node.placeholder = t(node.dataset.tPlaceholder);
    for (const node of root.querySelectorAll("[data-t-title]")) node.title = t(node.dataset.tTitle);
  }

  // ---------------------------------------------------------------- time

  function sync(nowIso) {
    const at = Date.parse(nowIso);
    if (!Number.isNaN(at)) offset = at - Date.now();
  }
  // An event the service sent at `iso` proves its time is at least that (replays never pull it back).
  function atLeast(iso) {
    const at = Date.parse(iso);
    if (!Number.isNaN(at) && at > Date.now() + offset) offset = at - Date.now();
  }
  const now = () => new Date(Date.now() + offset);
  const formats = new Map();
  function fmt(options) {
    const key = JSON.stringify([locale, zone, options]);
    if (!formats.has(key)) formats.set(key, new Intl.DateTimeFormat(locale, Object.assign({ timeZone: zone }, options)));
    return formats.get(key);
  }
  const time = (value) => fmt({ hour: "numeric", minute: "2-digit" }).format(new Date(value));
  const dayLabel = (value) => fmt({ weekday: "long", day: "numeric", month: "long" }).format(new Date(value));
  const shortDay = (value) => fmt({ weekday: "short", day: "numeric", month: "short" }).format(new Date(value));

  // The wall clock of an instant in the zone, as numbers (one formatter for every such question).
  let partsFormat = null;
  let partsZone = null;
  function wall(value) {
    if (partsZone !== zone) {
      partsFormat = new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric", hourCycle: "h23" });
      partsZone = zone;
    }
    const out = {};
    for (const p of partsFormat.formatToParts(new Date(value))) if (p.type !== "literal") out[p.type] = Number(p.value);
    out.hour %= 24;
    return out;
  }
  const pad = (n) => String(n).padStart(2, "0");
  // The calendar date (YYYY-MM-DD) of an instant in the zone.
  function ymd(value) {
    const w = wall(value);
    return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
  }
  function addDays(date, days) {
    const d = new Date(`${date}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }
  const weekday = (date) => new Date(`${date}T12:00:00Z`).getUTCDay(); // 0 = Sunday
  function zoneOffset(ms) { // minutes the zone is ahead of UTC at that instant
    const w = wall(ms);
    const local = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
    return Math.round((local - Math.floor(ms / 1000) * 1000) / 60000);
  }
  // The instant of a wall-clock date and time ("2026-11-24", "09:30") in the zone.
  function instant(date, hhmm) {
    const [y, m, d] = date.split("-").map(Number);
    const [h, mi] = hhmm.split(":").map(Number);
    const guess = Date.UTC(y, m - 1, d, h, mi);
    let at = guess - zoneOffset(guess) * 60000;
    at = guess - zoneOffset(at) * 60000; // the offset at the answer, across a DST change
    return new Date(at);
  }
  const hhmm = (value) => { const w = wall(value); return `${pad(w.hour)}:${pad(w.minute)}`; };
  function firstDayOfWeek() { // 0 = Sunday ... 6, from the locale
    try {
      const info = new Intl.Locale(locale);
      const week = (info.getWeekInfo && info.getWeekInfo()) || info.weekInfo;
      if (week && week.firstDay) return week.firstDay % 7;
    } catch (err) { /* older browsers: Monday */ }
    return 1;
  }

  // Run `fn` once the next frame has been painted.
  const afterPaint = (fn) => requestAnimationFrame(() => setTimeout(fn, 0));

  function el(tag, attrs = {}, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
    }
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A join_button event applied to a meeting as a page keeps it (`lead`: the join button's lead in ms).
  function applyNotice(m, n) {
    if (n.sent_at) atLeast(n.sent_at);
    const lead = Date.parse(m.start) - Date.parse(m.join_button.at);
    if (n.kind === "join") { m.join_target = n.join_target || m.join_target; m.notified = true; }
    else if (n.kind === "moved") {
      m.start = n.start; m.end = n.end; m.join_target = n.join_target; m.flag = "moved"; m.notified = false;
      m.join_button = { eligible: false, at: new Date(Date.parse(n.start) - lead).toISOString() };
    } else if (n.kind === "updated") { m.join_target = n.join_target; m.flag = "updated"; }
    else if (n.kind === "removed") { m.join_target = null; m.join_targets = []; m.flag = "removed"; m.notified = false; }
    else if (n.kind === "cancelled") { m.status = "cancelled"; m.flag = "cancelled"; m.notified = false; }
  }

  // Whether a meeting shows its join button now: sent by the service, or inside its lead time.
  function joinable(m) {
    if (!m.join_target || m.status === "cancelled" || m.all_day || m.my_response === "declined") return false;
    const at = now().getTime();
    if (at >= Date.parse(m.end)) return false;
    return Boolean(m.notified) || at >= Date.parse(m.join_button.at);
  }

  // A join target's link text: the address without its scheme.
  const shortUri = (uri) => uri.replace(/^https?:\/\//, "").replace(/\/$/, "");
  const safeHref = (uri) => (/^(https?|sips?|h323|tel):/i.test(uri) ? uri : null);

  return {
    api, stream, emit, setAuth, setLanguage, t, translatePage, sync, atLeast, now, applyNotice, joinable, time, dayLabel, shortDay, ymd,
    addDays, weekday, instant, hhmm, firstDayOfWeek, el, shortUri, safeHref, afterPaint,
    get locale() { return locale; }, get zone() { return zone; },
  };
})();
