"""Gettext catalogs for the text the service writes into invitations.

Catalogs are ``.po`` files under ``locales/<lang>/LC_MESSAGES/joinblock.po``; Babel compiles
them in memory on first use (no build step). A Calendar ``locale`` such as ``pt-BR``, ``de``
or ``fr-CA`` finds the closest catalog; anything unknown falls back to English.
"""

from __future__ import annotations

import gettext
import io
import threading
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "joinblock"
_lock = threading.Lock()


def available() -> tuple[str, ...]:
    """Catalog languages shipped (English is the source language)."""
    return ("en", *sorted(p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").exists()))


def resolve(locale: str | None) -> str:
    """The catalog language for a Calendar locale: exact, then language only, else ``en``."""
    if not locale:
        return "en"
    tag = locale.replace("-", "_")
    langs = available()
    for candidate in (tag, tag.split("_")[0]):
        for lang in langs:
            if lang.lower() == candidate.lower():
                return lang
    if tag.split("_")[0].lower() == "pt":
        return "pt_BR"
    return "en"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog for ``lang`` (NullTranslations for English)."""
    path = LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == "en" or not path.exists():
        return gettext.NullTranslations()
    with _lock, path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(locale: str | None) -> gettext.NullTranslations:
    """Translations for a Calendar locale, with English as the fallback."""
    return translations(resolve(locale))
