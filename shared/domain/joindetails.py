"""Join details a conferencing provider made, and the localized block that carries them.

The block is plain text or HTML (matching the description it goes into), framed by the
stable markers of ``joinblock.py``. Everything that comes from outside is escaped in HTML.
"""

from __future__ import annotations

import hashlib
import html as html_lib

import msgspec

from shared.domain.joinblock import BLOCK_BEGIN, BLOCK_END
from shared.i18n import gettext_for

NOTE = "Added by Hybrid Calendar. Text between the markers is replaced when the meeting changes."


class JoinDetails(msgspec.Struct, frozen=True):
    """What a provider answered for one meeting."""

    provider: str
    reference: str
    join_url: str
    sip_uri: str | None = None
    meeting_number: str | None = None
    space: bool = False


def render_block(details: JoinDetails, locale: str | None, *, html: bool) -> str:
    """The localized block for ``details``, in plain text or HTML."""
    tr = gettext_for(locale).gettext
    rows: list[tuple[str, str, bool]] = [(tr("Join link"), details.join_url, True)]
    if details.sip_uri:
        rows.append((tr("Video address"), details.sip_uri, False))
    if details.meeting_number:
        rows.append((tr("Meeting number"), details.meeting_number, False))
    title = tr("Meeting space") if details.space else tr("Join the meeting")
    if not html:
        lines = [BLOCK_BEGIN, title, *(f"{label}: {value}" for label, value, _ in rows), tr(NOTE), BLOCK_END]
        return "\n".join(lines)
    e = html_lib.escape
    body = "<br>".join(
        f'{e(label)}: <a href="{e(value, quote=True)}">{e(value)}</a>' if link else f"{e(label)}: {e(value)}"
        for label, value, link in rows
    )
    return (
        f"<div>{BLOCK_BEGIN}</div><div><b>{e(title)}</b><br>{body}<br><i>{e(tr(NOTE))}</i></div><div>{BLOCK_END}</div>"
    )


def block_hash(block: str) -> str:
    """A short fingerprint of a rendered block (kept in the event's private properties)."""
    return hashlib.sha256(block.encode()).hexdigest()[:16]
