"""``hybrid-calendar orgs health ORG`` and ``orgs alerts add|list|remove|test|log``: health and alert hooks."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import typer

from shared.cli_admin import Admin, OrgArg, admin_command
from shared.cli_help import Typer
from shared.cli_orgs import orgs_app
from shared.cli_output import out, rows_table

alerts_app = Typer(help="Alert webhooks of an org: signed events when something breaks.", no_args_is_help=True)
orgs_app.add_typer(alerts_app, name="alerts")
HookUrlArg = Annotated[str, typer.Argument(metavar="HOOK_URL", help="Where alerts go (https).")]
HookArg = Annotated[str, typer.Argument(metavar="HOOK", help="The hook id (from `orgs alerts list`).")]


def _org(org: str) -> str:
    return f"/orgs/{quote(org, safe='')}"


def _hook(org: str, hook: str) -> str:
    return f"{_org(org)}/alert-hooks/{quote(hook, safe='')}"


def print_health(found: dict[str, Any]) -> None:
    """Print a health report: principals by state, channels, sync age, then the other sections in one table."""
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


@admin_command(orgs_app, "health")
def health(admin: Admin, org: OrgArg) -> None:
    """Show an org's health: principals by state, channels, sync age, reconcile, dead letters, quota, poll lag."""
    admin.show(admin.call("GET", f"{_org(org)}/health"), print_health)


@admin_command(alerts_app, "add")
def add(admin: Admin, org: OrgArg, hook_url: HookUrlArg) -> None:
    """Register an alert hook; prints its signing secret once."""
    hook = admin.call("POST", f"{_org(org)}/alert-hooks", {"url": hook_url})
    admin.show(hook, lambda h: out().print(f"Hook {h['id']} added. Signing secret (shown once): {h['secret']}"))


def _print_hooks(found: dict[str, Any]) -> None:
    if not found["hooks"]:
        out().print("No alert hooks.")
        return
    rows_table(found["hooks"], ["id", "url", "created_at"], title="Alert hooks")


@admin_command(alerts_app, "list")
def list_hooks(admin: Admin, org: OrgArg) -> None:
    """List an org's alert hooks."""
    admin.show(admin.call("GET", f"{_org(org)}/alert-hooks"), _print_hooks)


@admin_command(alerts_app, "remove", as_json=False)
def remove(admin: Admin, org: OrgArg, hook: HookArg) -> None:
    """Remove an alert hook."""
    admin.call("DELETE", _hook(org, hook))
    out().print(f"Hook {hook} removed.")


@admin_command(alerts_app, "test")
def send_test(admin: Admin, org: OrgArg, hook: HookArg) -> None:
    """Send a signed test event to a hook now and show how it answered."""
    columns = ["hook", "state", "attempts", "last_status", "next_at"]
    admin.show(
        admin.call("POST", f"{_hook(org, hook)}:test"),
        lambda alert: rows_table(alert["deliveries"], columns, title="Test event"),
    )


def _print_alerts(found: dict[str, Any]) -> None:
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


@admin_command(alerts_app, "log")
def log(admin: Admin, org: OrgArg) -> None:
    """Show an org's latest alerts and each delivery's state."""
    admin.show(admin.call("GET", f"{_org(org)}/alerts"), _print_alerts)
