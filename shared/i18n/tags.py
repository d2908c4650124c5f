"""Locale tags an org may choose as its default: ones Babel knows and a join-detail catalog serves."""

from __future__ import annotations

from shared.i18n import available, resolve


def supported() -> tuple[str, ...]:
    """The catalog languages as tags people write (``pt-BR``, not ``pt_BR``)."""
    return tuple(lang.replace("_", "-") for lang in available())


def catalog_locale(tag: str) -> str:
    """The canonical form of ``tag`` (``de``, ``de-AT``, ``pt-BR``); ValueError naming the choices otherwise.

    Babel's parser decides what a locale is (``xx`` and ``de-ZZ`` are not); the tag must then
    find a catalog of its own, by exact match or by language (``de-AT`` uses ``de``).
    """
    from babel import Locale, UnknownLocaleError  # on first use: the admin API's import stays light

    choices = ", ".join(supported())
    wanted = tag.strip().replace("-", "_")
    try:
        locale = Locale.parse(wanted)
    except (ValueError, TypeError, UnknownLocaleError):
        raise ValueError(f"{tag!r} is not a locale; use one of {choices} (a region such as de-AT is fine)") from None
    if str(locale).lower() != wanted.lower():
        raise ValueError(f"{tag!r} is not a locale; use one of {choices} (a region such as de-AT is fine)")
    canonical = str(locale).replace("_", "-")
    if locale.language != "en" and resolve(canonical) == "en":
        raise ValueError(f"no join-detail catalog for {tag!r}; use one of {choices} (a region such as de-AT is fine)")
    return canonical
