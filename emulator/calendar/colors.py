"""Google Calendar's colour palettes (``colors.get``): 24 calendar colours and 11 event colours."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from emulator.api import google_api, reply

bp = Blueprint("colors", __name__, url_prefix="/calendar/v3")

_FOREGROUND = "#1d1d1d"
_CALENDAR = (
    "#ac725e",
    "#d06b64",
    "#f83a22",
    "#fa573c",
    "#ff7537",
    "#ffad46",
    "#42d692",
    "#16a765",
    "#7bd148",
    "#b3dc6c",
    "#fbe983",
    "#fad165",
    "#92e1c0",
    "#9fe1e7",
    "#9fc6e7",
    "#4986e7",
    "#9a9cff",
    "#b99aff",
    "#c2c2c2",
    "#cabdbf",
    "#cca6ac",
    "#f691b2",
    "#cd74e6",
    "#a47ae2",
)
_EVENT = (
    "#a4bdfc",
    "#7ae7bf",
    "#dbadff",
    "#ff887c",
    "#fbd75b",
    "#ffb878",
    "#46d6db",
    "#e1e1e1",
    "#5484ed",
    "#51b749",
    "#dc2127",
)
CALENDAR_COLORS: dict[str, dict[str, str]] = {
    str(i): {"background": bg, "foreground": _FOREGROUND} for i, bg in enumerate(_CALENDAR, 1)
}
EVENT_COLORS: dict[str, dict[str, str]] = {
    str(i): {"background": bg, "foreground": _FOREGROUND} for i, bg in enumerate(_EVENT, 1)
}
UPDATED = "2012-02-14T00:00:00.000Z"


def _rgb(color: str) -> tuple[int, int, int]:
    text = color.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"not an RGB colour: {color!r}")
    return int(text[:2], 16), int(text[2:4], 16), int(text[4:], 16)


def nearest_calendar_color(background: str) -> str:
    """The id of the palette colour closest to ``background`` (``#rrggbb``); ``ValueError`` if bad."""
    wanted = _rgb(background)
    return min(
        CALENDAR_COLORS,
        key=lambda i: sum((a - b) ** 2 for a, b in zip(_rgb(CALENDAR_COLORS[i]["background"]), wanted, strict=True)),
    )


def colors() -> dict[str, Any]:
    """The ``calendar#colors`` resource."""
    return {"kind": "calendar#colors", "updated": UPDATED, "calendar": CALENDAR_COLORS, "event": EVENT_COLORS}


@bp.get("/colors")
@google_api("calendar.colors.get")
def get_colors() -> Response:
    """``colors.get``."""
    return reply(colors())
