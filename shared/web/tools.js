// The web page's tools: schedule a meeting, quick add from one line, find a time (free/busy
// of chosen people as bars, free slots suggested) and manage delegates.
"use strict";

const Tools = (() => {
  const { el, t } = HC;
  const $ = (id) => document.getElementById(id);
  const DAY_START = "08:00";
  const DAY_END = "18:00";
  let profile = null;
  let host = null; // { reload, put, status } from the page
  const pickers = {};

  function fail(dialog, err) { dialog.querySelector(".error").textContent = err.message; }
  function clearError(dialog) { dialog.querySelector(".error").textContent = ""; }

  // ---------------------------------------------------------------- people picker

  async function suggest(text) {
    try {
      const found = (await HC.api(`/v1/people?q=${encodeURIComponent(text)}`)).people;
      $("people-list").replaceChildren(...found.filter((p) => p.email !== profile.email).map((p) => el("option", { value: p.email }, p.name || p.email)));
    } catch (err) { /* suggestions are a nicety */ }
  }

  function picker(fieldset) {
    const chosen = [];
    const id = `${fieldset.id}-input`;
    const row = el("div", { class: "pick" });
    const input = el("input", { id, type: "email", list: "people-list", autocomplete: "off", maxlength: "254" });
    const label = el("label", { for: id, class: "visually-hidden" }, t("Add a person by email"));
    const add = el("button", { type: "button" }, t("Add"));
    const chips = el("ul", { class: "chips" });
    row.append(label, input, add);
    fieldset.append(row, chips);
    function draw() {
      chips.replaceChildren(...chosen.map((email) => {
        const chip = el("li", { "data-email": email }, email);
        const remove = el("button", { type: "button", class: "chip-remove", "aria-label": t("Remove {name}", { name: email }) }, "×");
        remove.addEventListener("click", () => { chosen.splice(chosen.indexOf(email), 1); draw(); });
        chip.append(remove);
        return chip;
      }));
    }
    function push(value) {
      const email = value.trim().toLowerCase();
      if (!email || chosen.includes(email) || email === profile.email.toLowerCase()) return;
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) { input.setCustomValidity(t("Enter an email address")); input.reportValidity(); return; }
      input.setCustomValidity("");
      chosen.push(email);
      input.value = "";
      draw();
    }
    add.addEventListener("click", () => push(input.value));
    input.addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); push(input.value); } });
    input.addEventListener("input", () => { input.setCustomValidity(""); if (input.value.length >= 2) suggest(input.value); });
    return {
      get emails() { return [...chosen]; },
      set(emails) { chosen.splice(0, chosen.length, ...emails.filter((e) => e !== profile.email)); draw(); },
      flush() { if (input.value.trim()) push(input.value); },
    };
  }

  // ---------------------------------------------------------------- schedule and quick add

  function nextSlot() {
    const at = HC.now();
    const [h, m] = HC.hhmm(at).split(":").map(Number);
    const minutes = Math.min(23 * 60 + 30, Math.ceil((h * 60 + m + 1) / 30) * 30);
    return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
  }

  function openSchedule(prefill = {}) {
    const dialog = $("schedule");
    const form = $("schedule-form");
    form.reset();
    clearError(dialog);
    const today = HC.ymd(HC.now());
    const date = prefill.date || (App.state.date > today ? App.state.date : today);
    form.elements.date.value = date;
    form.elements.time.value = prefill.time || (date === today ? nextSlot() : "09:00");
    if (prefill.duration) form.elements.duration.value = String(prefill.duration);
    pickers.schedule.set(prefill.attendees || []);
    dialog.showModal();
    form.elements.title.focus();
  }

  async function schedule(event) {
    event.preventDefault();
    const dialog = $("schedule");
    const form = event.target;
    pickers.schedule.flush();
    const start = HC.instant(form.elements.date.value, form.elements.time.value);
    const end = new Date(start.getTime() + Number(form.elements.duration.value) * 60000);
    const body = {
      title: form.elements.title.value.trim(), start: start.toISOString(), end: end.toISOString(), time_zone: profile.time_zone,
      attendees: pickers.schedule.emails, location: form.elements.location.value.trim(), description: form.elements.description.value,
    };
    if (form.elements.keyword.value) body.keyword = form.elements.keyword.value;
    try {
      const created = await HC.api("/v1/me/meetings", { method: "POST", body });
      dialog.close();
      host.put(created);
      host.status(t("Meeting scheduled: {title}", { title: created.title }));
      HC.emit("scheduled", { id: created.id });
    } catch (err) { fail(dialog, err); }
  }

  async function quickAdd(event) {
    event.preventDefault();
    const input = $("quick-text");
    try {
      const created = await HC.api("/v1/me/meetings", { method: "POST", body: { text: input.value } });
      input.value = "";
      host.put(created);
      host.status(t("Added: {title} at {time}", { title: created.title || t("(no title)"), time: `${HC.shortDay(created.start)} ${HC.time(created.start)}` }));
      HC.emit("scheduled", { id: created.id });
    } catch (err) { host.status(err.message); }
  }

  // ---------------------------------------------------------------- find a time

  function bar(person, busy, from, to) {
    const row = el("div", { class: "bar-row", "data-email": person });
    row.append(el("span", { class: "bar-name" }, person === profile.email ? t("You") : person));
    const track = el("div", { class: "track", role: "img" });
    const span = to - from;
    const described = [];
    for (const b of busy) {
      const s = Math.max(Date.parse(b.start), from);
      const e = Math.min(Date.parse(b.end), to);
      if (e <= s) continue;
      const block = el("span", { class: "busy", title: `${HC.time(s)}–${HC.time(e)}` });
      block.style.left = `${((s - from) / span) * 100}%`;
      block.style.width = `${((e - s) / span) * 100}%`;
      track.append(block);
      described.push(`${HC.time(s)}–${HC.time(e)}`);
    }
    track.setAttribute("aria-label", described.length ? t("Busy {times}", { times: described.join(", ") }) : t("Free all day"));
    row.append(track);
    return row;
  }

  function scale(from, to) { // hour marks over the bars, every two hours
    const row = el("div", { class: "bar-row scale", "aria-hidden": "true" });
    const marks = el("div", { class: "marks" });
    for (let at = from; at <= to; at += 2 * 3600e3) {
      const mark = el("span", {}, HC.time(at));
      mark.style.left = `${((at - from) / (to - from)) * 100}%`;
      marks.append(mark);
    }
    row.append(el("span"), marks);
    return row;
  }

  function freeSlots(calendars, date, minutes, from, to) {
    const busy = Object.values(calendars).flatMap((c) => c.busy.map((b) => [Date.parse(b.start), Date.parse(b.end)]));
    const out = [];
    const step = 30 * 60000;
    const length = minutes * 60000;
    const earliest = HC.now().getTime();
    for (let s = from; s + length <= to && out.length < 6; s += step) {
      if (s < earliest) continue;
      if (busy.every(([bs, be]) => be <= s || bs >= s + length)) out.push(s);
    }
    return out;
  }

  async function find(event) {
    event.preventDefault();
    const dialog = $("find");
    const form = event.target;
    clearError(dialog);
    pickers.find.flush();
    const people = [profile.email, ...pickers.find.emails];
    const date = form.elements.date.value;
    const minutes = Number(form.elements.duration.value);
    const from = HC.instant(date, DAY_START).getTime();
    const to = HC.instant(date, DAY_END).getTime();
    try {
      const body = { emails: people, from: HC.instant(date, "00:00").toISOString(), to: HC.instant(HC.addDays(date, 1), "00:00").toISOString() };
      const answer = await HC.api("/v1/availability", { method: "POST", body });
      $("f-bars").replaceChildren(scale(from, to), ...people.map((p) => bar(p, (answer.calendars[p] || { busy: [] }).busy, from, to)));
      const slots = freeSlots(answer.calendars, date, minutes, from, to);
      $("f-slots").replaceChildren(...slots.map((s) => {
        const item = el("li");
        const pick = el("button", { type: "button", class: "slot", "data-start": new Date(s).toISOString() }, `${HC.time(s)}–${HC.time(s + minutes * 60000)}`);
        pick.addEventListener("click", () => { dialog.close(); openSchedule({ date, time: HC.hhmm(s), duration: minutes, attendees: pickers.find.emails }); });
        item.append(pick);
        return item;
      }));
      if (!slots.length) $("f-slots").append(el("li", { class: "empty" }, t("No common free time this day")));
      HC.emit("availability", { slots: slots.length });
    } catch (err) { fail(dialog, err); }
  }

  // ---------------------------------------------------------------- delegates

  const N = (id) => id; // marks a catalog string used through a table
  const ROLES = { freeBusyReader: N("See free/busy"), reader: N("See all details"), writer: N("Make changes") };

  async function listDelegates() {
    const dialog = $("delegates");
    try {
      const found = (await HC.api("/v1/me/delegates")).delegates;
      $("d-list").replaceChildren(...found.map((d) => {
        const item = el("li", { "data-email": d.email }, `${d.email} · ${t(ROLES[d.role] || d.role)}`);
        const remove = el("button", { type: "button", "aria-label": t("Remove {name}", { name: d.email }) }, t("Remove"));
        remove.addEventListener("click", async () => {
          try { await HC.api(`/v1/me/delegates/${encodeURIComponent(d.email)}`, { method: "DELETE" }); await listDelegates(); }
          catch (err) { fail(dialog, err); }
        });
        item.append(remove);
        return item;
      }));
      if (!found.length) $("d-list").append(el("li", { class: "empty" }, t("No delegates")));
      HC.emit("delegates", { count: found.length });
    } catch (err) { fail(dialog, err); }
  }

  async function addDelegate(event) {
    event.preventDefault();
    const dialog = $("delegates");
    const form = event.target;
    clearError(dialog);
    try {
      await HC.api("/v1/me/delegates", { method: "POST", body: { email: form.elements.email.value.trim(), role: form.elements.role.value } });
      form.elements.email.value = "";
      await listDelegates();
    } catch (err) { fail(dialog, err); }
  }

  // ---------------------------------------------------------------- start

  function start(me, page) {
    profile = me;
    host = page;
    pickers.schedule = picker($("s-people"));
    pickers.find = picker($("f-people"));
    const keyword = $("s-keyword");
    keyword.replaceChildren(el("option", { value: "" }, t("None")), ...me.keywords.map((k) => el("option", { value: k }, k)));
    $("open-schedule").addEventListener("click", () => openSchedule());
    $("open-find").addEventListener("click", () => {
      clearError($("find"));
      $("find-form").elements.date.value = App.state.date;
      $("find").showModal();
    });
    $("open-delegates").addEventListener("click", () => { clearError($("delegates")); $("delegates").showModal(); listDelegates(); });
    $("schedule-form").addEventListener("submit", schedule);
    $("find-form").addEventListener("submit", find);
    $("delegates-form").addEventListener("submit", addDelegate);
    $("quick-add").addEventListener("submit", quickAdd);
    for (const button of document.querySelectorAll("dialog .cancel")) button.addEventListener("click", () => button.closest("dialog").close());
    suggest("");
  }

  return { start, openSchedule };
})();
