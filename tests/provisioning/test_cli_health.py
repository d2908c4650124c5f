"""`orgs health` and `orgs alerts` against a real local runtime server: tables, JSON and the error exits."""

from __future__ import annotations

from tests.provisioning.conftest import Cli


def test_orgs_health_prints_the_report_as_a_table_and_as_json(cli: Cli) -> None:
    """The human form names each section; --json is the admin API's report; an unknown org exits 1."""
    shown = cli("orgs", "health", "example-com")
    assert shown.exit_code == 0, shown.stdout
    assert (
        "Principals" in shown.stdout and "stalled beyond 26 h" in shown.stdout and "vacation poll lag" in shown.stdout
    )
    report = cli.json("orgs", "health", "example-com")
    assert report["org"] == "example-com" and set(report["principals"]["by_state"]) >= {"active", "error"}
    assert cli("orgs", "health", "no-such-org").exit_code == 1


def test_orgs_alerts_add_list_remove_and_refuse_plain_http(cli: Cli) -> None:
    """add prints the secret once, list omits it, a non-loopback http URL exits 1, remove makes the hook go."""
    added = cli.json("orgs", "alerts", "add", "example-com", "https://alerts.example.net/hook")
    assert added["secret"].startswith("whsec_")
    listed = cli("orgs", "alerts", "list", "example-com")
    assert listed.exit_code == 0 and added["id"] in listed.stdout and added["secret"] not in listed.stdout
    refused = cli("orgs", "alerts", "add", "example-com", "http://alerts.example.net/hook")
    assert refused.exit_code == 1 and "https" in refused.output
    assert cli("orgs", "alerts", "remove", "example-com", added["id"]).exit_code == 0
    assert cli.json("orgs", "alerts", "list", "example-com") == {"hooks": []}
    assert cli("orgs", "alerts", "remove", "example-com", added["id"]).exit_code == 1
