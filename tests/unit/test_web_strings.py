"""The pages' strings: every one the pages use is translated in every catalog, placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from shared import i18n

WEB = Path(i18n.__file__).resolve().parent.parent / "web"
LANGUAGES = [lang for lang in i18n.available(i18n.WEB) if lang != "en"]


def used_strings() -> set[str]:
    """Every string id the pages look up: ``t("...")`` and ``N("...")`` in scripts, ``data-t*`` in HTML."""
    found: set[str] = set()
    for script in WEB.glob("*.js"):
        found |= set(re.findall(r'\b[tN]\("((?:[^"\\]|\\.)*)"', script.read_text()))
    for page in WEB.glob("*.html"):
        found |= set(re.findall(r'data-t(?:-label|-placeholder|-title)?="([^"]*)"', page.read_text()))
    return found


def test_the_service_ships_web_strings_in_its_eight_languages() -> None:
    """English and seven catalogs: the same languages as the join details."""
    assert i18n.available(i18n.WEB) == i18n.available(i18n.DOMAIN)
    assert len(i18n.available(i18n.WEB)) == 8


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_string_is_translated_with_its_placeholders(lang: str) -> None:
    """No page string is missing or empty in the catalog, none is left over, and {placeholders} match."""
    path = i18n.LOCALES / lang / "LC_MESSAGES" / "web.po"
    with path.open("rb") as handle:
        catalog = {str(m.id): str(m.string) for m in read_po(handle) if m.id}
    used = used_strings()
    assert len(used) > 80
    assert sorted(used - catalog.keys()) == [] and sorted(catalog.keys() - used) == []
    for msgid, text in catalog.items():
        assert text.strip(), msgid
        assert sorted(re.findall(r"\{\w+\}", text)) == sorted(re.findall(r"\{\w+\}", msgid)), (lang, msgid)


def test_a_calendar_locale_chooses_the_catalog_and_the_browser_tag() -> None:
    """de-AT finds German, pt-PT the Brazilian catalog, an unknown locale English; tags are BCP 47."""
    assert i18n.resolve("de-AT", i18n.WEB) == "de" and i18n.messages("de")["Today"] == "Heute"
    assert i18n.resolve("pt-PT", i18n.WEB) == "pt_BR" and i18n.resolve("sw", i18n.WEB) == "en"
    assert i18n.messages("en") == {}
    assert (i18n.language_tag("pt_BR"), i18n.language_tag(None), i18n.language_tag("en-GB")) == ("pt-BR", "en", "en-GB")
    assert i18n.language_tag("x;<script>") == "en"
