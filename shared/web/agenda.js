// The web page's agenda: a day or a week of my meetings in my time zone, with a now line.
// Each card: time, title, organiser, location, the join target as a link, attendees with their
// presence and answers, my answer, the join button at the lead time, moved/cancelled marks.
"use strict";

const Agenda = (() => {
  const meetings = new Map(); // id -> meeting as the API returns it, plus notices applied
  const presence = new Map(); // email -> presence of people of my org
  let range = { from: null, to: null, days: 1 };
  let me = "";
  let onRsvp = null;
  const { el, t } = HC;

  const N = (id) => id; // marks a catalog string used through a table
  const ANSWERS = { accepted: N("Accepted"), declined: N("Declined"), tentative: N("Maybe"), needsAction: N("Awaiting answer") };

  function setMe(email) { me = (email || "").toLowerCase(); }
  function setRsvp(fn) { onRsvp = fn; }

  function load(list, days) {
    range = { from: list.from, to: list.to, days };
    meetings.clear();
    for (const m of list.meetings) meetings.set(m.id, m);
    render();
  }

  function put(m) {
    const old = meetings.get(m.id);
    if (old && old.flag) m.flag = old.flag;
    if (old && old.notified) m.notified = true;
    meetings.set(m.id, m);
    render();
  }

  const inRange = (m) => range.from && Date.parse(m.end) > Date.parse(range.from) && Date.parse(m.start) < Date.parse(range.to);

  // A join_button event; false when it concerns a meeting this view does not hold.
  function notice(n) {
    const m = meetings.get(n.meeting_id);
    if (!m) return false;
    HC.applyNotice(m, n);
    render();
    return true;
  }

  // Presence states and their labels; an attendee shows every state but available.
  const STATES = { available: N("Available"), in_meeting: N("In a meeting"), do_not_disturb: N("Do not disturb"), out_of_office: N("Out of office") };
  const stateLabel = (status) => t(STATES[status] || STATES.available);
  function stateMark(status) {
    if (!STATES[status] || status === "available") return null;
    return el("span", { class: status === "out_of_office" ? "state ooo" : "state" }, stateLabel(status));
  }

  // New presence: kept for later renders and written onto the attendees on screen (no re-render).
  function setPresence(people) {
    for (const p of people) presence.set(p.email, p.presence);
    for (const item of document.querySelectorAll("#days li.person[data-email]")) {
      const seen = presence.get(item.dataset.email.toLowerCase());
      if (!seen || item.dataset.presence === seen.status) continue;
      item.dataset.presence = seen.status;
      item.querySelector(".state")?.remove();
      const mark = stateMark(seen.status);
      if (mark) item.querySelector(".name").after(mark);
    }
    HC.emit("presence");
  }

  function person(a) {
    const name = a.display_name || a.email;
    const item = el("li", { class: "person", "data-email": a.email, "data-response": a.response_status });
    const seen = presence.get(a.email.toLowerCase());
    const status = seen ? seen.status : "unknown";
    item.dataset.presence = status;
    const dot = el("span", { class: "dot", "aria-hidden": "true" });
    item.append(dot, el("span", { class: "name" }, name));
    const mark = stateMark(status);
    if (mark) item.append(mark);
    item.append(el("span", { class: "answer" }, t(ANSWERS[a.response_status] || ANSWERS.needsAction)));
    if (a.email.toLowerCase() === me) item.classList.add("me");
    return item;
  }

  function flagText(m) {
    if (m.flag === "moved") return t("Moved to {time}", { time: HC.time(m.start) });
    if (m.flag === "cancelled") return t("Cancelled");
    if (m.flag === "updated") return t("New join link");
    if (m.flag === "removed") return t("Join link removed");
    return "";
  }

  function targetLink(target, cls) {
    const href = HC.safeHref(target.uri);
    const link = el(href ? "a" : "span", { class: cls, href: href, target: href ? "_blank" : null, rel: href ? "noopener" : null });
    link.dataset.kind = target.kind;
    return link;
  }

  let timed = false; // each render's first card title carries Element Timing: when meetings get painted

  function card(m) {
    const node = el("article", { class: "meeting", "data-id": m.id, "aria-labelledby": `t-${m.id}` });
    if (m.status === "cancelled") node.classList.add("cancelled");
    if (m.flag) node.dataset.flag = m.flag;
    const when = el("p", { class: "when" });
    if (m.all_day) when.textContent = t("All day");
    else when.append(el("time", { datetime: m.start }, HC.time(m.start)), el("span", { class: "visually-hidden" }, " – "), el("time", { class: "end", datetime: m.end }, HC.time(m.end)));
    const title = m.details_hidden ? t("Private meeting") : m.title || t("(no title)");
    const head = el("div", { class: "head" });
    head.append(el("h3", { class: "title", id: `t-${m.id}`, elementtiming: timed ? null : "hc-meetings" }, title));
    timed = true;
    if (m.visibility === "private" && !m.details_hidden) head.append(el("span", { class: "tag" }, t("Private")));
    const flag = flagText(m);
    if (flag) head.append(el("span", { class: "flag", role: "note" }, flag));
    const body = el("div", { class: "body" });
    body.append(head);
    const meta = el("dl", { class: "meta" });
    const organiser = m.attendees.find((a) => a.email === m.organizer);
    if (m.organizer) meta.append(el("dt", {}, t("Organiser")), el("dd", { class: "organizer" }, (organiser && organiser.display_name) || m.organizer));
    const rooms = m.attendees.filter((a) => a.is_room).map((a) => a.display_name || a.email);
    const place = m.join_targets.reduce((text, j) => text.replace(j.uri, ""), m.location).trim();
    const where = [place, ...rooms.filter((r) => !place.includes(r))].filter(Boolean).join(" · ");
    if (where) meta.append(el("dt", {}, t("Location")), el("dd", { class: "location" }, where));
    if (meta.childElementCount) body.append(meta);
    if (m.join_target && m.status !== "cancelled") {
      const link = targetLink(m.join_target, "target");
      link.textContent = HC.shortUri(m.join_target.uri);
      body.append(link);
    }
    const people = m.attendees.filter((a) => !a.is_room);
    if (people.length) {
      const list = el("ul", { class: "people", "aria-label": t("Attendees") });
      for (const a of people) list.append(person(a));
      body.append(list);
    }
    const actions = el("div", { class: "actions" });
    if (HC.joinable(m)) {
      const join = targetLink(m.join_target, "join");
      join.textContent = t("Join");
      join.setAttribute("aria-label", t("Join {title}", { title }));
      actions.append(join);
    }
    if (onRsvp && m.my_response !== null && m.status !== "cancelled" && m.organizer !== me) {
      const group = el("div", { class: "rsvp", role: "group", "aria-label": t("Your answer") });
      for (const [value, label] of [["accepted", N("Accept")], ["tentative", N("Maybe")], ["declined", N("Decline")]]) {
        const button = el("button", { type: "button", "data-response": value, "aria-pressed": String(m.my_response === value) }, t(label));
        button.addEventListener("click", () => onRsvp(m.id, value));
        group.append(button);
      }
      actions.append(group);
      if (m.my_response !== "needsAction") actions.append(el("span", { class: "mine", "data-response": m.my_response }, `${t("Your answer")}: ${t(ANSWERS[m.my_response])}`));
    }
    if (actions.childElementCount) body.append(actions);
    node.append(when, body);
    return node;
  }

  function nowLine() {
    const at = HC.now();
    const line = el("div", { class: "now-line", role: "separator", "aria-label": t("Now {time}", { time: HC.time(at) }) });
    line.append(el("span", {}, HC.time(at)));
    return line;
  }

  function render() {
    const days = document.getElementById("days");
    if (!days || !range.from) return;
    const sections = new Map();
    timed = false;
    const today = HC.ymd(HC.now());
    for (let i = 0; i < range.days; i += 1) {
      const date = HC.addDays(HC.ymd(range.from), i);
      const section = el("section", { class: "day", "data-date": date, "aria-labelledby": `d-${date}` });
      if (date === today) section.classList.add("today");
      const label = HC.dayLabel(HC.instant(date, "12:00"));
      section.append(el("h2", { id: `d-${date}` }, date === today ? `${t("Today")} · ${label}` : label));
      sections.set(date, section);
    }
    const sorted = [...meetings.values()].filter(inRange).sort((a, b) => a.start.localeCompare(b.start));
    for (const m of sorted) {
      const date = HC.ymd(m.all_day ? Date.parse(m.start) + 12 * 3600e3 : m.start);
      const section = sections.get(date) || sections.values().next().value;
      section.append(card(m));
    }
    const todays = sections.get(today);
    if (todays) {
      const next = [...todays.querySelectorAll("article.meeting")].find((n) => Date.parse(meetings.get(n.dataset.id).start) > HC.now().getTime());
      todays.insertBefore(nowLine(), next || null);
    }
    for (const section of sections.values()) {
      if (!section.querySelector("article")) section.append(el("p", { class: "empty" }, t("No meetings")));
    }
    days.replaceChildren(...sections.values());
    HC.emit("render", { count: sorted.length });
  }

  return {
    load, put, notice, render, setPresence, setMe, setRsvp, inRange, STATES, stateLabel,
    get range() { return range; }, get meetings() { return meetings; },
  };
})();
