"""``hybrid-calendar orgs health ORG`` and ``orgs alerts add|list|remove|test|log``: health and alert hooks."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import typer

from shared.cli_admin import IdTokenOpt, JsonOpt, OrgArg, TokenOpt, UrlOpt, connect, emit_json
from shared.cli_help import Typer
from shared.cli_orgs import orgs_app
from shared.cli_output import out, rows_table

alerts_app = Typer(help="Alert webhooks of an org: signed events when something breaks.", no_args_is_help=True)
orgs_app.add_typer(alerts_app, name="alerts")
HookArg = Annotated[str, typer.Argument(metavar="HOOK", help="The hook id (from `orgs alerts list`).")]


def _call(url: str | None, token: str | None, id_token: str | None, method: str, path: str, body: Any = None) -> Any:
    client = connect(url, token, id_token)
    try:
        return client.call(method, path, body)
    finally:
        client.close()


def _org(org: str) -> str:
    return f"/orgs/{quote(org, safe='')}"


@orgs_app.command("health")
def health(
    org: OrgArg, url: UrlOpt = None, token: TokenOpt = None, id_token: IdTokenOpt = None, as_json: JsonOpt = False
) -> None:
    """Show an org's health: principals by state, channels, sync age, reconcile, dead letters, quota, poll lag."""
    found: dict[str, Any] = _call(url, token, id_token, "GET", f"{_org(org)}/health")
    if as_json:
        emit_json(found)
        return
    by_state = found["principals"]["by_state"]
    rows_table([{"state": k, "count": v} for k, v in by_state.items()], ["state", "count"], title="Principals")
    if found["principals"]["attention"]:
        rows_table(found["principals"]["attention"], ["email", "state", "reason", "hint"], title="Needing attention")
    channels = found["channels"]
    if channels["expiring"] or channels["without_channel"]:
        rows = channels["expiring"] + [{"email": e, "expiration": "no channel"} for e in channels["without_channel"]]
        rows_table(rows, ["email", "channel_id", "expiration"], title="Channels failing renewal")
    sync = found["sync"]
    title = f"Sync ({sync['stalled']} stalled beyond {sync['stalled_after_hours']:g} h)"
    rows_table(sync["principals"], ["email", "last_sync", "age_seconds", "stalled"], title=title)
    rec, dead, quota, poll = found["reconcile"], found["dead_letters"], found["quota"], found["presence_poll"]
    summary = [
        {"item": "last maintenance", "value": f"{rec['last_run_at']} (repaired {rec['repaired']})"},
        {"item": "dead letters", "value": f"{dead['total']} {dead['topics'] or ''}".strip()},
        {
            "item": "rate limited (24 h)",
            "value": f"429: {quota['rate_limited']['429']}, 403: {quota['rate_limited']['403']}",
        },
        {"item": "vacation poll lag", "value": f"{poll['lag_seconds']} s" + (" (late)" if poll["late"] else "")},
    ]
    rows_table(summary, ["item", "value"], title="Health")


@alerts_app.command("add")
def add(
    org: OrgArg,
    hook_url: Annotated[str, typer.Argument(metavar="HOOK_URL", help="Where alerts go (https).")],
    url: UrlOpt = None,
    token: TokenOpt = None,
    id_token: IdTokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register an alert hook; prints its signing secret once."""
    hook = _call(url, token, id_token, "POST", f"{_org(org)}/alert-hooks", {"url": hook_url})
    if as_json:
        emit_json(hook)
        return
    out().print(f"Hook {hook['id']} added. Signing secret (shown once): {hook['secret']}")


@alerts_app.command("list")
def list_hooks(
    org: OrgArg, url: UrlOpt = None, token: TokenOpt = None, id_token: IdTokenOpt = None, as_json: JsonOpt = False
) -> None:
    """List an org's alert hooks."""
    found = _call(url, token, id_token, "GET", f"{_org(org)}/alert-hooks")
    if as_json:
        emit_json(found)
        return
    if not found["hooks"]:
        out().print("No alert hooks.")
        return
    rows_table(found["hooks"], ["id", "url", "created_at"], title="Alert hooks")


@alerts_app.command("remove")
def remove(org: OrgArg, hook: HookArg, url: UrlOpt = None, token: TokenOpt = None, id_token: IdTokenOpt = None) -> None:
    """Remove an alert hook."""
    _call(url, token, id_token, "DELETE", f"{_org(org)}/alert-hooks/{quote(hook, safe='')}")
    out().print(f"Hook {hook} removed.")


@alerts_app.command("test")
def send_test(
    org: OrgArg,
    hook: HookArg,
    url: UrlOpt = None,
    token: TokenOpt = None,
    id_token: IdTokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send a signed test event to a hook now and show how it answered."""
    alert = _call(url, token, id_token, "POST", f"{_org(org)}/alert-hooks/{quote(hook, safe='')}:test")
    if as_json:
        emit_json(alert)
        return
    rows_table(alert["deliveries"], ["hook", "state", "attempts", "last_status", "next_at"], title="Test event")


@alerts_app.command("log")
def log(
    org: OrgArg, url: UrlOpt = None, token: TokenOpt = None, id_token: IdTokenOpt = None, as_json: JsonOpt = False
) -> None:
    """Show an org's latest alerts and each delivery's state."""
    found = _call(url, token, id_token, "GET", f"{_org(org)}/alerts")
    if as_json:
        emit_json(found)
        return
    rows = [
        {
            "id": a["id"],
            "type": a["type"],
            "created_at": a["created_at"],
            "deliveries": ", ".join(f"{d['hook']}: {d['state']} ({d['attempts']})" for d in a["deliveries"]),
        }
        for a in found["alerts"]
    ]
    rows_table(rows, ["id", "type", "created_at", "deliveries"], title="Alerts")
