// Hybrid Calendar web page: sign in, list my meetings, RSVP, and show join buttons as they arrive.
// Plain script, no build step. The room display (device.js) reuses HC.* from here.
"use strict";

const HC = (() => {
  let auth = null; // the Authorization header value
  const meetings = new Map(); // id -> meeting as the API returns it
  let zone = "UTC";
  let onRsvp = null;

  function setAuth(value) { auth = value; }

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
    return body;
  }

  // Server-Sent Events over fetch (EventSource cannot send an Authorization header).
  function stream(path, onEvent) {
    let lastId = null;
    let stopped = false;
    async function connect() {
      while (!stopped) {
        try {
          const headers = { Authorization: auth, Accept: "text/event-stream" };
          if (lastId) headers["Last-Event-ID"] = lastId;
          const response = await fetch(path, { headers });
          if (response.status === 401 || response.status === 403) { stopped = true; onEvent("denied", {}); return; }
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          let buffer = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true });
            let cut;
            while ((cut = buffer.indexOf("\n\n")) >= 0) {
              const block = buffer.slice(0, cut);
              buffer = buffer.slice(cut + 2);
              let event = "message", data = "", id = null;
              for (const line of block.split("\n")) {
                if (line.startsWith("event: ")) event = line.slice(7);
                else if (line.startsWith("data: ")) data += line.slice(6);
                else if (line.startsWith("id: ")) id = line.slice(4);
              }
              if (id) lastId = id;
              if (data) onEvent(event, JSON.parse(data));
            }
          }
        } catch (err) { /* network trouble: reconnect below */ }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    connect();
    return () => { stopped = true; };
  }

  const fmtDay = () => new Intl.DateTimeFormat(undefined, { timeZone: zone, weekday: "long", day: "numeric", month: "long" });
  const fmtTime = () => new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: "2-digit", minute: "2-digit" });

  function el(tag, attrs = {}, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function joinLink(target) {
    const link = el("a", { class: "join", href: target.uri, target: "_blank", rel: "noopener" }, "Join");
    link.dataset.kind = target.kind;
    return link;
  }

  function card(m) {
    const node = el("article", { class: "meeting", "data-id": m.id });
    if (m.status === "cancelled") node.classList.add("cancelled");
    const day = fmtTime();
    node.append(el("span", { class: "when" }, m.all_day ? "all day" : `${day.format(new Date(m.start))}–${day.format(new Date(m.end))}`));
    node.append(el("span", { class: "title" }, m.title || "(no title)"));
    if (m.join_target) node.append(el("span", { class: "target" }, `${m.join_target.kind}: ${m.join_target.uri}`));
    if (m.notice) node.append(el("span", { class: "notice" }, m.notice));
    if (m.join_target && m.join_button && m.join_button.eligible && m.status !== "cancelled") node.append(joinLink(m.join_target));
    if (onRsvp && m.my_response !== null && m.status !== "cancelled") {
      const row = el("div", { class: "rsvp" });
      for (const [value, label] of [["accepted", "Accept"], ["tentative", "Maybe"], ["declined", "Decline"]]) {
        const button = el("button", { type: "button", "data-response": value, "aria-pressed": String(m.my_response === value) }, label);
        button.addEventListener("click", () => onRsvp(m.id, value));
        row.append(button);
      }
      node.append(row);
    }
    return node;
  }

  function render() {
    const days = document.getElementById("days");
    days.replaceChildren();
    const sorted = [...meetings.values()].sort((a, b) => a.start.localeCompare(b.start));
    let current = null, section = null;
    for (const m of sorted) {
      const label = fmtDay().format(new Date(m.start));
      if (label !== current) {
        current = label;
        section = el("section", { class: "day" });
        section.append(el("h2", {}, label));
        days.append(section);
      }
      section.append(card(m));
    }
    if (!sorted.length) days.append(el("p", { class: "empty" }, "No meetings."));
  }

  function load(list) {
    zone = list.time_zone || "UTC";
    meetings.clear();
    for (const m of list.meetings) meetings.set(m.id, m);
    render();
  }

  function update(m) { meetings.set(m.id, m); render(); }

  // A join_button event: show the button (join), move the meeting (moved), or strike it (cancelled).
  function notice(n, reload) {
    const m = meetings.get(n.meeting_id);
    if (!m) { reload(); return; }
    if (n.kind === "cancelled") { m.status = "cancelled"; m.notice = "Cancelled"; }
    else {
      if (n.kind === "moved") { m.start = n.start; m.end = n.end; m.notice = "Moved"; }
      if (n.join_target) { m.join_target = n.join_target; m.join_button = { eligible: true, at: m.join_button.at }; }
    }
    render();
  }

  return { api, stream, load, update, notice, setAuth, setRsvp: (fn) => { onRsvp = fn; }, el };
})();

(() => {
  if (!document.getElementById("sign-in")) return; // the room display runs device.js
  const KEY = "hybridcal.idToken";
  const status = document.getElementById("status");

  function show(id, visible) { document.getElementById(id).hidden = !visible; }

  // The service decides what "today" is (its clock, my Calendar time zone), not this device's clock.
  async function reload() {
    const list = await HC.api("/v1/me/meetings?days=7");
    HC.load(list);
    status.textContent = "";
  }

  function presence(p) {
    const badge = document.getElementById("presence");
    badge.dataset.status = p.status;
    badge.textContent = p.status === "out_of_office" ? `out of office${p.message ? ": " + p.message : ""}` : "available";
  }

  async function start(token) {
    HC.setAuth(`Bearer ${token}`);
    try {
      await reload();
    } catch (err) {
      if (err.status === 401 || err.status === 403) { sessionStorage.removeItem(KEY); status.textContent = err.message; return signIn(); }
      throw err;
    }
    const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    document.getElementById("me").textContent = claims.email;
    show("who", true); show("sign-in", false); show("agenda", true);
    presence(await HC.api("/v1/me/presence"));
    HC.setRsvp(async (id, response) => {
      try { HC.update(await HC.api(`/v1/me/meetings/${encodeURIComponent(id)}/rsvp`, { method: "POST", body: { response } })); }
      catch (err) { status.textContent = err.message; }
    });
    HC.stream("/v1/me/stream", (event, data) => {
      if (event === "join_button") HC.notice(data, reload);
      else if (event === "presence") presence(data);
      else if (event === "denied") { sessionStorage.removeItem(KEY); location.reload(); }
    });
  }

  async function signIn() {
    show("sign-in", true); show("agenda", false); show("who", false);
    const config = await HC.api("/app/config");
    const list = document.getElementById("users");
    list.replaceChildren();
    if (config.dev_sign_in) {
      document.getElementById("sign-in-hint").textContent = "Local emulator: choose a user.";
      for (const user of (await HC.api("/app/dev/users")).users) {
        const button = HC.el("button", { type: "button", "data-email": user.email }, `${user.name} <${user.email}>`);
        button.addEventListener("click", async () => {
          const answer = await HC.api("/app/dev/sign-in", { method: "POST", body: { email: user.email } });
          sessionStorage.setItem(KEY, answer.id_token);
          start(answer.id_token);
        });
        const item = HC.el("li"); item.append(button); list.append(item);
      }
      return;
    }
    document.getElementById("sign-in-hint").textContent = "Sign in with your Google Workspace account.";
    const script = HC.el("script", { src: "https://accounts.google.com/gsi/client" });
    script.onload = () => {
      google.accounts.id.initialize({ client_id: config.client_id, callback: (r) => { sessionStorage.setItem(KEY, r.credential); start(r.credential); } });
      google.accounts.id.renderButton(document.getElementById("google-button"), { theme: "outline" });
    };
    document.head.append(script);
  }

  document.getElementById("sign-out").addEventListener("click", () => { sessionStorage.removeItem(KEY); location.reload(); });
  const saved = sessionStorage.getItem(KEY);
  if (saved) start(saved); else signIn();
})();
