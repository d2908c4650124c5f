"""Org locales: what Babel parses and a join-detail catalog serves, in canonical form."""

from __future__ import annotations

import pytest

from shared.i18n.tags import catalog_locale, supported


@pytest.mark.parametrize(
    ("tag", "canonical"),
    [("de", "de"), ("de-AT", "de-AT"), ("DE_at", "de-AT"), ("pt", "pt"), ("pt_BR", "pt-BR"), ("en-US", "en-US")],
)
def test_locales_with_a_catalog(tag: str, canonical: str) -> None:
    """A known locale whose language has a catalog is accepted in canonical form."""
    assert catalog_locale(tag) == canonical


@pytest.mark.parametrize("tag", ["xx", "de-ZZ", "sv", "zh-Hant-TW", "", "a b", "^[a-z]{2,3}"])
def test_other_tags_are_refused_naming_the_choices(tag: str) -> None:
    """Unknown locales and ones without a catalog raise ValueError listing every supported locale."""
    with pytest.raises(ValueError, match="use one of en, de, es, fr, it, ja, nl, pt-BR"):
        catalog_locale(tag)


def test_every_catalog_is_offered() -> None:
    """The supported list is English plus one entry per shipped catalog."""
    assert supported() == ("en", "de", "es", "fr", "it", "ja", "nl", "pt-BR")
