"""The HTML-to-text converter and the join-link scan give, byte for byte, the frozen record of the corpora."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fixtures.invitations import build_rendered

RECORD: list[dict[str, Any]] = json.loads(build_rendered.OUT.read_text(encoding="utf-8"))
CORPUS_TEXTS = frozenset(build_rendered.corpus_texts())

# Invalid markup that an HTML5 parser repairs as browsers do, where the record (written with Python's
# html.parser) differs: nested anchors split, legacy entities decoded, CDATA outside SVG/MathML a comment.
# None of these occurs in the corpora; the fields listed are the only ones that change.
_NESTED = "outer (https://a.example.com)inner (https://b.example.com) rest"
_ENTITIES = "Fish & chips <3 'today' été AA &unknown; & ©"
HTML5_REPAIRS: dict[str, dict[str, Any]] = {
    '<a href="https://a.example.com">outer <a href="https://b.example.com">inner</a> rest</a>': {
        "text": _NESTED,
        "scan": _NESTED,
        "agenda": _NESTED,
        "targets": [["url", "https://a.example.com)inner", ""], ["url", "https://b.example.com", ""]],
    },
    "<b>Fish &amp; chips</b>&nbsp;&lt;3 &#39;today&#39; &eacute;t&eacute; &#x41;&#65; &unknown; &amp &copy": {
        "text": _ENTITIES,
        "scan": _ENTITIES,
        "agenda": _ENTITIES,
    },
    "<![CDATA[cdata text]]><p>after cdata</p><?php echo 1 ?>": {
        "text": "after cdata",
        "scan": "after cdata",
        "agenda": "after cdata",
    },
}


def test_record_covers_every_corpus_text() -> None:
    """The record holds every corpus description and location and every edge case, in the builder's order."""
    assert [r["input"] for r in RECORD] == build_rendered.inputs()
    assert sum(1 for r in RECORD if r["html"]) >= 90
    assert not CORPUS_TEXTS & HTML5_REPAIRS.keys()


@pytest.mark.parametrize("entry", RECORD, ids=[str(i) for i in range(len(RECORD))])
def test_rendering_is_byte_identical_to_the_record(entry: dict[str, Any]) -> None:
    """Agenda text, scan text and found targets (kind, URI, label) equal the recorded ones exactly."""
    expected = {**entry, **HTML5_REPAIRS.get(entry["input"], {})}
    assert build_rendered.record(entry["input"]) == expected
