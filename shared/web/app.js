// The web page at /app: sign in, my day or week, RSVP, live join buttons with a browser
// notification, presence. The scheduling tools are in tools.js, the cards in agenda.js.
"use strict";

const App = (() => {
  const KEY = "hybridcal.idToken";
  const VIEW = "hybridcal.view";
  const ASKED = "hybridcal.notificationsAsked";
  const NOTIFIED = "hybridcal.notified";
  const state = { profile: null, view: localStorage.getItem(VIEW) === "week" ? "week" : "day", date: null };
  const $ = (id) => document.getElementById(id);
  const status = (text) => { $("status").textContent = text; };
  function show(id, visible) { $(id).hidden = !visible; }

  function weekStart(date) {
    const back = (HC.weekday(date) - HC.firstDayOfWeek() + 7) % 7;
    return HC.addDays(date, -back);
  }

  async function reload() {
    const days = state.view === "week" ? 7 : 1;
    const from = state.view === "week" ? weekStart(state.date) : state.date;
    const list = await HC.api(`/v1/me/meetings?from=${from}&days=${days}`);
    Agenda.load(list, days);
    heading();
    lookUpPresence();
  }

  function heading() {
    const { from, to } = Agenda.range;
    const last = new Date(Date.parse(to) - 1);
    const label = state.view === "week" ? `${HC.shortDay(from)} – ${HC.shortDay(last)}` : HC.dayLabel(from);
    $("range").textContent = label;
    for (const button of document.querySelectorAll("[data-view]")) button.setAttribute("aria-pressed", String(button.dataset.view === state.view));
  }

  async function lookUpPresence() {
    const domain = state.profile.email.split("@")[1];
    const emails = new Set();
    for (const m of Agenda.meetings.values()) {
      for (const a of m.attendees) if (!a.is_room && a.email.endsWith(`@${domain}`)) emails.add(a.email);
    }
    if (!emails.size) return;
    const query = [...emails].slice(0, 100).map((e) => `email=${encodeURIComponent(e)}`).join("&");
    try { Agenda.setPresence((await HC.api(`/v1/people?${query}`)).people); } catch (err) { /* presence is a nicety */ }
  }

  function go(step) {
    if (step === 0) state.date = HC.ymd(HC.now());
    else state.date = HC.addDays(state.date, step * (state.view === "week" ? 7 : 1));
    reload().catch((err) => status(err.message));
  }

  function setView(view) {
    state.view = view;
    localStorage.setItem(VIEW, view);
    reload().catch((err) => status(err.message));
  }

  // My badge: the state (with its message and "until" where there is one), the working location beside it.
  function myPresence(p) {
    const badge = $("presence");
    const status = Agenda.STATES[p.status] ? p.status : "available";
    badge.dataset.status = status;
    const parts = [Agenda.stateLabel(status)];
    if (status === "out_of_office" && p.message) parts[0] += `: ${p.message}`;
    if (status !== "available" && p.until) parts.push(HC.t("until {time}", { time: until(p.until) }));
    badge.textContent = parts.join(" ");
    const where = $("where");
    const label = place(p.working_location);
    where.textContent = label;
    where.dataset.kind = p.working_location ? p.working_location.kind : "";
    where.hidden = !label;
    HC.emit("mypresence", { status });
  }

  function until(iso) { // today: the time; another day: the day too
    return HC.ymd(iso) === HC.ymd(HC.now()) ? HC.time(iso) : `${HC.shortDay(iso)} ${HC.time(iso)}`;
  }

  function place(location) {
    if (!location) return "";
    if (location.kind === "home") return HC.t("Home");
    if (location.kind === "office") return location.label ? HC.t("Office · {label}", { label: location.label }) : HC.t("Office");
    return location.label || "";
  }

  // ---------------------------------------------------------------- notifications

  function notified() {
    try { return new Set(JSON.parse(localStorage.getItem(NOTIFIED) || "[]")); } catch (err) { return new Set(); }
  }

  function notify(n) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const seen = notified();
    if (seen.has(n.notice_id) || Date.parse(n.end) <= HC.now().getTime()) return;
    seen.add(n.notice_id);
    localStorage.setItem(NOTIFIED, JSON.stringify([...seen].slice(-200)));
    const m = Agenda.meetings.get(n.meeting_id);
    const title = (m && m.details_hidden) || !n.title ? HC.t("Private meeting") : n.title;
    const note = new Notification(HC.t("Join {title}", { title }), {
      body: HC.t("Starts at {time}", { time: HC.time(n.start) }), tag: n.notice_id, lang: HC.locale,
    });
    note.onclick = () => { window.focus(); if (n.join_target && HC.safeHref(n.join_target.uri)) window.open(n.join_target.uri, "_blank", "noopener"); };
    HC.emit("notified", { notice: n.notice_id });
  }

  function offerNotifications() {
    const button = $("alerts");
    const can = "Notification" in window && Notification.permission === "default" && !localStorage.getItem(ASKED);
    button.hidden = !can;
    button.onclick = async () => {
      localStorage.setItem(ASKED, "1"); // asked once, whatever the answer
      button.hidden = true;
      await Notification.requestPermission();
    };
  }

  function onNotice(n) {
    const known = Agenda.notice(n);
    if (known && ["moved", "updated", "removed"].includes(n.kind)) { // the card's other details may have changed too
      HC.api(`/v1/me/meetings/${encodeURIComponent(n.meeting_id)}`).then(Agenda.put).catch(() => {});
    }
    if (n.kind === "join" && n.join_target) notify(n);
    if (!known && n.kind === "join" && Date.parse(n.start) < Date.parse(Agenda.range.to) && Date.parse(n.end) > Date.parse(Agenda.range.from)) {
      reload().catch(() => {}); // a meeting this view has not seen yet
    }
    HC.emit("notices", { kind: n.kind, meeting: n.meeting_id });
  }

  // ---------------------------------------------------------------- sign-in and start

  async function start(token) {
    HC.setAuth(`Bearer ${token}`);
    let profile, today;
    try {
      // Day view: ask for today at once, beside the profile; the week view needs the profile's date first.
      const first = state.view === "day" ? HC.api("/v1/me/meetings?days=1") : null;
      if (first) first.catch(() => {}); // its failure is the profile's too, reported below
      profile = await HC.api("/v1/me");
      today = first ? await first : null;
    } catch (err) {
      if (err.status === 401 || err.status === 403) { sessionStorage.removeItem(KEY); status(err.message); return signIn(); }
      throw err;
    }
    state.profile = profile;
    HC.setLanguage(profile);
    Agenda.setMe(profile.email);
    $("me").textContent = profile.name || profile.email;
    show("who", true); show("sign-in", false); show("agenda", true); show("tools", true);
    state.date = HC.ymd(profile.now);
    Agenda.setRsvp(async (id, response) => {
      try { Agenda.put(await HC.api(`/v1/me/meetings/${encodeURIComponent(id)}/rsvp`, { method: "POST", body: { response } })); status(HC.t("Answer sent")); }
      catch (err) { status(err.message); }
    });
    if (today) { Agenda.load(today, 1); heading(); } else await reload();
    HC.afterPaint(() => { // the meetings first; the rest once they are on screen
      if (today) lookUpPresence();
      Tools.start(profile, { reload, put: Agenda.put, status });
      offerNotifications();
      HC.api("/v1/me/presence").then(myPresence).catch(() => {});
      HC.stream("/v1/me/stream", (event, data) => {
        if (event === "join_button") onNotice(data);
        else if (event === "presence") myPresence(data);
        else if (event === "denied") { sessionStorage.removeItem(KEY); location.reload(); }
      });
      setInterval(() => Agenda.render(), 30 * 1000); // the now line and join buttons at the lead time
      HC.emit("ready");
    });
  }

  async function signIn() {
    show("sign-in", true); show("agenda", false); show("who", false); show("tools", false);
    const config = await HC.api("/app/config");
    HC.setLanguage({ strings: config.strings, locale: config.locale });
    const list = $("users");
    list.replaceChildren();
    if (config.dev_sign_in) {
      $("sign-in-hint").textContent = HC.t("Local emulator: choose a user.");
      for (const user of (await HC.api("/app/dev/users")).users) {
        const button = HC.el("button", { type: "button", "data-email": user.email }, `${user.name} <${user.email}>`);
        button.addEventListener("click", async () => {
          const answer = await HC.api("/app/dev/sign-in", { method: "POST", body: { email: user.email } });
          sessionStorage.setItem(KEY, answer.id_token);
          start(answer.id_token).catch((err) => status(err.message));
        });
        const item = HC.el("li"); item.append(button); list.append(item);
      }
      HC.emit("signin");
      return;
    }
    $("sign-in-hint").textContent = HC.t("Sign in with your Google Workspace account.");
    const script = HC.el("script", { src: "https://accounts.google.com/gsi/client" });
    script.onload = () => {
      google.accounts.id.initialize({ client_id: config.client_id, callback: (r) => { sessionStorage.setItem(KEY, r.credential); start(r.credential); } });
      google.accounts.id.renderButton($("google-button"), { theme: "outline" });
    };
    document.head.append(script);
    HC.emit("signin");
  }

  function boot() {
    $("sign-out").addEventListener("click", () => { sessionStorage.removeItem(KEY); location.reload(); });
    $("prev").addEventListener("click", () => go(-1));
    $("next").addEventListener("click", () => go(1));
    $("today").addEventListener("click", () => go(0));
    for (const button of document.querySelectorAll("[data-view]")) button.addEventListener("click", () => setView(button.dataset.view));
    const saved = sessionStorage.getItem(KEY);
    (saved ? start(saved) : signIn()).catch((err) => status(err.message));
  }

  return { boot, reload, state };
})();

App.boot(); // a deferred script runs once the document is parsed
