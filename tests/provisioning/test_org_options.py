"""Org settings from the CLI: provider, Webex site and token (sealed), sendUpdates, and the locale, validated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.documents import doc_path
from shared.i18n.tags import catalog_locale
from tests.provisioning.conftest import Cli, admin
from tests.support.world import World

TOKEN = "webex-secret-token-1234"


def _stored(world: World) -> dict[str, Any]:
    doc = world.app.documents.get(doc_path("orgs", world.org.id))
    assert doc is not None
    return dict(doc.data)


def test_provider_options_are_set_and_the_token_is_sealed(cli: Cli, tmp_path: Path) -> None:
    """`orgs set` takes provider, site, token file and sendUpdates; the token is stored sealed, never shown."""
    token_file = tmp_path / "webex.token"
    token_file.write_text(TOKEN + "\n")
    org = cli.json(
        "orgs", "set", "example-com", "--provider", "webex_api", "--webex-site", "Acme.webex.com",
        "--webex-token-file", str(token_file), "--send-updates", "externalOnly",
    )  # fmt: skip
    assert (org["provider"], org["webex_site"], org["send_updates"], org["webex_access_token_set"]) == (
        "webex_api",
        "acme.webex.com",
        "externalOnly",
        True,
    )
    assert cli.world.app.stores.orgs.org_secret("example-com", "webex_access_token") == TOKEN
    assert TOKEN not in json.dumps(_stored(cli.world), default=str)
    shown = cli("orgs", "show", "example-com")
    assert shown.exit_code == 0 and TOKEN not in shown.stdout and "webex_access_token_set" in shown.stdout
    assert cli.json("orgs", "set", "example-com", "--provider", "space")["provider"] == "space"
    assert cli.world.app.stores.orgs.org_secret("example-com", "webex_access_token") == TOKEN  # kept


def test_the_token_can_come_from_standard_input_at_create(cli: Cli) -> None:
    """`orgs create --webex-token-file -` reads the token from standard input and stores it with the new org."""
    created = cli(
        "orgs", "create", "--domain", "third.org", "--credential-kind", "keyless",
        "--credential-ref", "svc@p.iam.gserviceaccount.com", "--client-id", "42",
        "--provider", "webex_api", "--webex-token-file", "-", "--json", stdin=TOKEN,
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert json.loads(created.stdout)["webex_access_token_set"] is True
    assert cli.world.app.stores.orgs.org_secret("third-org", "webex_access_token") == TOKEN


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (("--provider", "webex_api"), 1, "provider webex_api needs webex_access_token"),
        (("--provider", "zoom"), 2, "zoom"),
        (("--send-updates", "everyone"), 2, "everyone"),
        (("--webex-site", "not a host"), 1, "webex_site must be the Webex site's host name"),
        (("--locale", "xx"), 2, "'xx' is not a locale"),
        (("--locale", "sv"), 2, "no join-detail catalog for 'sv'"),
        (("--locale", "de-ZZ"), 2, "'de-ZZ' is not a locale"),
        (("--webex-token-file", "/nonexistent/token"), 2, "cannot read the Webex token"),
    ],
)
def test_bad_org_options_are_refused_and_change_nothing(
    cli: Cli, args: tuple[str, ...], code: int, fragment: str
) -> None:
    """A bad provider, site, token or locale is a clear error (2 for usage, 1 from the API) and the org is unchanged."""
    before = cli.json("orgs", "show", "example-com")
    result = cli("orgs", "set", "example-com", *args)
    assert result.exit_code == code, result.output
    assert fragment in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output
    assert cli.json("orgs", "show", "example-com") == before


def test_locales_with_a_catalog_are_accepted_in_canonical_form(cli: Cli) -> None:
    """de-AT, pt and EN_us are accepted (as de-AT, pt, en-US); the API refuses xx with the supported list."""
    assert cli.json("orgs", "set", "example-com", "--locale", "de-AT")["default_locale"] == "de-AT"
    assert catalog_locale("pt") == "pt" and catalog_locale("EN_us") == "en-US" and catalog_locale("pt_br") == "pt-BR"
    refused = admin(cli.world)("PATCH", "/orgs/example-com", {"default_locale": "xx"})
    message = refused.get_json()["error"]["message"]
    assert refused.status_code == 400 and "'xx' is not a locale" in message and "pt-BR" in message
    assert cli.json("orgs", "show", "example-com")["default_locale"] == "de-AT"
