"""The README's troubleshooting table covers every principal error reason, and the admin OpenAPI covers every route."""

from __future__ import annotations

import re
from pathlib import Path

from shared.domain.principals import ErrorReason

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_reason_has_a_troubleshooting_row() -> None:
    """Each ErrorReason has exactly one row in the README's troubleshooting section."""
    text = README.read_text()
    section = text[text.index("## Troubleshooting activation") :]
    section = section[: section.index("\n## ", 5)]
    rows = re.findall(r"^\| `([a-z_]+)` \|", section, re.MULTILINE)
    assert sorted(rows) == sorted(reason.value for reason in ErrorReason)


def test_the_openapi_document_lists_every_admin_route() -> None:
    """Each (method, path) the admin router serves is documented, and nothing else is."""
    from shared.api.admin import BASE, router

    served = set()
    for rule in router.app().url_map.iter_rules():  # the served rule table
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in rule.methods or ():
            if method not in ("HEAD", "OPTIONS"):
                served.add((method.lower(), path))
    served.discard(("post", f"{BASE}/orgs/{{org}}/principals/{{email}}"))  # answers 404: a POST names its action
    documented = {(m, p) for p, ops in router.document()["paths"].items() for m in ops}
    assert documented == served
