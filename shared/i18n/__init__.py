"""Gettext catalogs: the text the service writes into invitations and the strings of its pages.

Catalogs are ``.po`` files under ``locales/<lang>/LC_MESSAGES/<domain>.po``: ``joinblock`` for
the join details written into events, ``web`` for the app and the room display. Babel reads
them on first use (no build step). A Calendar ``locale`` such as ``pt-BR``, ``de`` or ``fr-CA``
finds the closest catalog; anything unknown falls back to English, the source language.
"""

from __future__ import annotations

import gettext
import io
import threading
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "joinblock"
WEB = "web"
_lock = threading.Lock()


def available(domain: str = DOMAIN) -> tuple[str, ...]:
    """Catalog languages shipped for ``domain`` (English is the source language)."""
    return ("en", *sorted(p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES" / f"{domain}.po").exists()))


def resolve(locale: str | None, domain: str = DOMAIN) -> str:
    """The catalog language for a Calendar locale: exact, then language only, else ``en``."""
    if not locale:
        return "en"
    tag = locale.replace("-", "_")
    langs = available(domain)
    for candidate in (tag, tag.split("_")[0]):
        for lang in langs:
            if lang.lower() == candidate.lower():
                return lang
    if tag.split("_")[0].lower() == "pt" and "pt_BR" in langs:
        return "pt_BR"
    return "en"


def _catalog(lang: str, domain: str) -> Any:
    from babel.messages.pofile import read_po  # Babel is imported the first time a catalog is read

    path = LOCALES / lang / "LC_MESSAGES" / f"{domain}.po"
    with _lock, path.open("rb") as handle:
        return read_po(handle, locale=lang)


@cache
def translations(lang: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The compiled catalog for ``lang`` (NullTranslations for English)."""
    path = LOCALES / lang / "LC_MESSAGES" / f"{domain}.po"
    if lang == "en" or not path.exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, _catalog(lang, domain))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(locale: str | None, domain: str = DOMAIN) -> gettext.NullTranslations:
    """Translations for a Calendar locale, with English as the fallback."""
    return translations(resolve(locale, domain), domain)


@cache
def messages(lang: str, domain: str = WEB) -> MappingProxyType[str, str]:
    """Every translated message of one catalog as msgid → text (empty for English: ids are the text)."""
    path = LOCALES / lang / "LC_MESSAGES" / f"{domain}.po"
    if lang == "en" or not path.exists():
        return MappingProxyType({})
    out = {str(m.id): str(m.string) for m in _catalog(lang, domain) if m.id and m.string and not m.fuzzy}
    return MappingProxyType(out)


def language_tag(locale: str | None) -> str:
    """A Calendar locale as a BCP 47 tag for the browser's ``Intl`` (``pt_BR`` → ``pt-BR``; default ``en``)."""
    if not locale:
        return "en"
    parts = [p for p in locale.replace("_", "-").split("-") if p.isalnum() and len(p) <= 8][:3]
    return "-".join(parts) or "en"
