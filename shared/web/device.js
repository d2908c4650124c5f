// Room display: /device?token=... shows the room's day and its join button, live.
"use strict";

(() => {
  const status = document.getElementById("status");
  const token = new URLSearchParams(location.search).get("token");
  if (!token) { status.textContent = "This display needs its device token: /device?token=..."; return; }
  HC.setAuth(`Device ${token}`);

  async function main() {
    const session = await HC.api("/device/session");
    document.getElementById("room").textContent = session.name;
    const base = `/v1/devices/${encodeURIComponent(session.device_id)}`;
    const reload = async () => HC.load(await HC.api(`${base}/meetings`));
    await reload();
    HC.stream(`${base}/stream`, (event, data) => {
      if (event === "join_button") HC.notice(data, reload);
      else if (event === "denied") status.textContent = "This device is no longer allowed.";
    });
    setInterval(reload, 5 * 60 * 1000);
  }

  main().catch((err) => { status.textContent = err.message; });
})();
