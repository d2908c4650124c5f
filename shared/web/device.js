// Room display: /device?token=... shows the room's name, a ticking clock, a status readable
// across the room (available / starting soon / in use), the current or next meeting with a big
// Join button and a countdown at the lead time, and the rest of the day. Private meetings show
// as "Private meeting". From 5 minutes before the start until the release time the featured
// meeting offers "Check in" (then "Checked in"); a room nobody checked in to shows it was released.
// On the current and the next meeting, people of the org who are out of office, do not want to be
// disturbed or are in another meeting carry a mark (the state only; live from the stream's frames).
// Every clock here is the service's time (HC.now), never the panel's own.
"use strict";

(() => {
  const { el, t } = HC;
  const $ = (id) => document.getElementById(id);
  const meetings = new Map();
  const checkins = new Map(); // event id -> {opens, closes, release_at, outcome} from /check-ins
  const presence = new Map(); // email -> state of the org's people on the room's meetings
  const N = (id) => id; // marks a catalog string used through a table
  const MARKS = { out_of_office: N("Out of office"), do_not_disturb: N("Do not disturb"), in_meeting: N("In another meeting") };
  let session = null;
  let day = null; // the date (YYYY-MM-DD, room's zone) the list shows
  let base = "";
  let lastState = "";

  const title = (m) => (m.details_hidden ? t("Private meeting") : m.title || t("(no title)"));
  const live = () => [...meetings.values()].filter((m) => m.status !== "cancelled" && !m.all_day).sort((a, b) => a.start.localeCompare(b.start));

  function organiser(m) {
    if (!m.organizer) return "";
    const entry = m.attendees.find((a) => a.email === m.organizer);
    return (entry && entry.display_name) || m.organizer;
  }

  const invited = (m, email) => (m.organizer || "").toLowerCase() === email || m.attendees.some((a) => a.email.toLowerCase() === email);

  // The mark of a person on the room's meetings: none when available, unknown, or in the room's own meeting now.
  function markOf(email, at) {
    const key = email.toLowerCase();
    const status = presence.get(key);
    if (!MARKS[status]) return null;
    if (status === "in_meeting") {
      const now = live().find((m) => Date.parse(m.start) <= at && at < Date.parse(m.end));
      if (now && invited(now, key)) return null;
    }
    return el("span", { class: status === "out_of_office" ? "mark ooo" : "mark", "data-presence": status }, t(MARKS[status]));
  }

  // The organiser (with a mark) and the marked attendees of a meeting on the room.
  function people(m, at) {
    const out = [];
    if (organiser(m)) {
      const line = el("p", { class: "organizer", "data-email": m.organizer });
      line.append(el("span", { class: "name" }, organiser(m)));
      const mark = markOf(m.organizer, at);
      if (mark) line.append(mark);
      out.push(line);
    }
    const marked = m.attendees.filter((a) => !a.is_room && a.email !== m.organizer).map((a) => [a, markOf(a.email, at)]).filter(([, mark]) => mark);
    if (marked.length) {
      const list = el("ul", { class: "people" });
      for (const [a, mark] of marked) list.append(el("li", { class: "person", "data-email": a.email }, el("span", { class: "name" }, a.display_name || a.email), mark));
      out.push(list);
    }
    return out;
  }

  // The meetings that carry marks: the one in progress and the next one.
  function markedIds(at) {
    const list = live();
    const ids = new Set();
    const now = list.find((m) => Date.parse(m.start) <= at && at < Date.parse(m.end));
    if (now) ids.add(now.id);
    const next = list.find((m) => Date.parse(m.start) > at);
    if (next) ids.add(next.id);
    return ids;
  }

  function setPresence(list) {
    for (const p of list) presence.set(p.email.toLowerCase(), p.status);
    render();
    HC.emit("presence", { count: presence.size });
  }

  async function loadPresence() {
    const answer = await HC.api(`${base}/presence`);
    presence.clear();
    setPresence(answer.people);
  }

  // In use until the end of a run of back-to-back meetings; starting soon within the lead (at least 10 min).
  function roomState(at) {
    const list = live();
    const current = list.find((m) => Date.parse(m.start) <= at && at < Date.parse(m.end));
    if (current) {
      let until = Date.parse(current.end);
      for (const m of list) if (Date.parse(m.start) <= until && Date.parse(m.end) > until) until = Date.parse(m.end);
      return { status: "busy", label: t("In use"), detail: t("Until {time}", { time: HC.time(until) }), featured: current, current };
    }
    const next = list.find((m) => Date.parse(m.start) > at);
    const soon = Math.max(session.lead_minutes, 10) * 60000;
    if (next && Date.parse(next.start) - at <= soon) {
      return { status: "soon", label: t("Starting soon"), detail: t("Next meeting at {time}", { time: HC.time(next.start) }), featured: next };
    }
    const detail = next ? t("Free until {time}", { time: HC.time(next.start) }) : t("Free for the rest of the day");
    return { status: "free", label: t("Available"), detail, featured: next };
  }

  function countdown(m, at) {
    const left = Math.round((Date.parse(m.start) - at) / 1000);
    if (left <= 0) return t("Started at {time}", { time: HC.time(m.start) });
    const text = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    return t("Starts in {time}", { time: text });
  }

  // What the featured meeting's check-in shows now: "open", "checked_in", "released" or "".
  function checkState(m, at) {
    const c = m && checkins.get(m.id);
    if (!c) return "";
    if (c.outcome === "checked_in" || c.outcome === "released") return c.outcome;
    return Date.parse(c.opens) <= at && at < Date.parse(c.closes) ? "open" : "";
  }

  async function loadCheckins() {
    const answer = await HC.api(`${base}/check-ins`);
    checkins.clear();
    for (const c of answer.meetings) checkins.set(c.event_id, c);
    render();
    HC.emit("checkins", { count: checkins.size });
  }

  async function checkIn(id) {
    try {
      const answer = await HC.api(`${base}/check-in`, { method: "POST", body: { event_id: id } });
      checkins.set(id, answer);
      $("status").textContent = "";
      render();
      HC.emit("checkin", { outcome: answer.outcome });
    } catch (err) {
      $("status").textContent = err.message;
      HC.emit("checkin", { error: err.status || 0 });
      loadCheckins().catch(() => {});
    }
  }

  function checkInBox(m, at) {
    const state = checkState(m, at);
    if (state === "checked_in") return el("p", { class: "checked-in" }, t("Checked in"));
    if (state === "released") return el("p", { class: "released" }, t("Released: nobody checked in"));
    if (state !== "open") return null;
    const row = el("div", { class: "check-in-row" });
    const button = el("button", { class: "check-in", type: "button" }, t("Check in"));
    button.addEventListener("click", () => { button.disabled = true; checkIn(m.id); });
    const until = checkins.get(m.id).closes;
    row.append(button, el("span", { class: "check-in-until" }, t("Check in until {time}", { time: HC.time(until) })));
    return row;
  }

  function featured(state, at) {
    const m = state.featured;
    if (!m) return null;
    const box = el("article", { class: "featured", "data-id": m.id, "aria-labelledby": "featured-title" });
    box.append(el("p", { class: "label" }, state.current ? t("Now") : t("Up next")));
    box.append(el("h2", { id: "featured-title" }, title(m)));
    box.append(el("p", { class: "when" }, `${HC.time(m.start)}–${HC.time(m.end)}`));
    box.append(...people(m, at));
    if (m.flag === "moved") box.append(el("p", { class: "flag" }, t("Moved to {time}", { time: HC.time(m.start) })));
    if (HC.joinable(m)) {
      const row = el("div", { class: "join-row" });
      const href = HC.safeHref(m.join_target.uri);
      const join = el(href ? "a" : "span", { class: "join", href, "data-kind": m.join_target.kind, "aria-label": t("Join {title}", { title: title(m) }) }, t("Join"));
      row.append(join, el("span", { class: "countdown", "aria-live": "off" }, countdown(m, at)));
      box.append(row);
    }
    const check = checkInBox(m, at);
    if (check) box.append(check);
    return box;
  }

  let timed = false; // each render's first card title carries Element Timing: when meetings get painted
  let marks = new Set(); // the meetings whose people carry marks in this render

  function card(m, at) {
    const node = el("article", { class: "meeting", "data-id": m.id, "aria-labelledby": `t-${m.id}` });
    if (Date.parse(m.end) <= at) node.classList.add("past");
    if (Date.parse(m.start) <= at && at < Date.parse(m.end)) node.classList.add("current");
    if (m.status === "cancelled") node.classList.add("cancelled");
    if (m.flag) node.dataset.flag = m.flag;
    node.append(el("p", { class: "when" }, m.all_day ? t("All day") : `${HC.time(m.start)}–${HC.time(m.end)}`));
    const body = el("div");
    const head = el("p", { class: "title", id: `t-${m.id}`, elementtiming: timed ? null : "hc-meetings" }, title(m));
    timed = true;
    if (m.flag === "cancelled") head.append(el("span", { class: "flag" }, t("Cancelled")));
    else if (m.flag === "moved") head.append(el("span", { class: "flag" }, t("Moved to {time}", { time: HC.time(m.start) })));
    body.append(head);
    if (marks.has(m.id)) body.append(...people(m, at));
    else if (organiser(m)) body.append(el("p", { class: "organizer" }, organiser(m)));
    node.append(body);
    return node;
  }

  function render() {
    const at = HC.now().getTime();
    const state = roomState(at);
    document.body.dataset.status = state.status;
    $("state-label").textContent = state.label;
    $("state-detail").textContent = state.detail;
    marks = markedIds(at);
    const box = featured(state, at);
    if (box) $("current").replaceChildren(box); else $("current").replaceChildren();
    const sorted = [...meetings.values()].sort((a, b) => a.start.localeCompare(b.start));
    timed = false;
    const list = sorted.map((m) => card(m, at));
    $("days").replaceChildren(...(list.length ? list : [el("p", { class: "empty" }, t("No meetings today"))]));
    const key = `${state.status}|${box ? box.dataset.id : ""}|${box && box.querySelector(".join") ? "join" : ""}|${checkState(state.featured, at)}`;
    if (key !== lastState) { lastState = key; HC.emit("state", { status: state.status }); }
    HC.emit("render", { count: sorted.length });
  }

  // Every second: the clock, the countdown and the status; a new day reloads the list.
  function tick() {
    const at = HC.now();
    $("clock").textContent = HC.time(at);
    $("clock").setAttribute("datetime", at.toISOString());
    $("date").textContent = HC.dayLabel(at);
    if (day && HC.ymd(at) !== day) { reload().catch(() => {}); return; }
    const count = document.querySelector(".countdown");
    const m = count && meetings.get(count.closest("[data-id]").dataset.id);
    const state = roomState(at.getTime());
    const key = `${state.status}|${state.featured ? state.featured.id : ""}|${state.featured && HC.joinable(state.featured) ? "join" : ""}|${checkState(state.featured, at.getTime())}`;
    const c = state.featured && checkins.get(state.featured.id);
    if (c && !c.outcome && c.release_at && at.getTime() >= Date.parse(c.release_at) && !c.asked) {
      c.asked = true; // past the release time: ask once whether the room was released
      loadCheckins().catch(() => {});
    }
    if (key !== lastState || [...markedIds(at.getTime())].join() !== [...marks].join()) render();
    else if (m) count.textContent = countdown(m, at.getTime());
    HC.emit("tick");
  }

  async function reload(answer) {
    const list = answer || (await HC.api(`${base}/meetings`));
    day = HC.ymd(list.from);
    const flags = new Map([...meetings.values()].map((m) => [m.id, m]));
    meetings.clear();
    for (const m of list.meetings) {
      const old = flags.get(m.id);
      if (old && old.flag === "moved") m.flag = "moved";
      if (old && old.notified && old.join_target) m.notified = true;
      meetings.set(m.id, m);
    }
    for (const old of flags.values()) if (old.status === "cancelled" && !meetings.has(old.id)) meetings.set(old.id, old);
    render();
    if (!answer) { loadCheckins().catch(() => {}); loadPresence().catch(() => {}); }
  }

  function onNotice(n) {
    const m = meetings.get(n.meeting_id);
    if (m) { HC.applyNotice(m, n); render(); }
    else if (n.kind !== "cancelled" && n.kind !== "removed") reload().catch(() => {});
    HC.emit("notices", { kind: n.kind, meeting: n.meeting_id });
  }

  async function main() {
    const token = new URLSearchParams(location.search).get("token");
    if (!token) { $("status").textContent = t("This display needs its device token: /device?token=..."); return; }
    HC.setAuth(`Device ${token}`);
    session = await HC.api("/device/session");
    HC.setLanguage(session);
    $("room").textContent = session.room;
    document.title = session.room;
    base = `/v1/devices/${encodeURIComponent(session.device_id)}`;
    await reload(session.today); // the session brings today's meetings: one round trip to the first paint
    tick();
    HC.afterPaint(() => {
      loadCheckins().catch(() => {});
      loadPresence().catch(() => {});
      setInterval(tick, 1000);
      setInterval(() => reload().catch(() => {}), 5 * 60 * 1000);
      HC.stream(`${base}/stream`, (event, data) => {
        if (event === "join_button") onNotice(data);
        else if (event === "presence") setPresence(data.people);
        else if (event === "denied") $("status").textContent = t("This device is no longer allowed.");
      });
      HC.emit("ready");
    });
  }

  main().catch((err) => { $("status").textContent = err.message; HC.emit("failed"); }); // deferred: the document is parsed
})();
