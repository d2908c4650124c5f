"""The join block this service writes into event descriptions: its marker lines, and its removal.

A join block is everything from a ``BLOCK_BEGIN`` marker to the next ``BLOCK_END`` marker. In a
plain-text description each marker is a line of its own; in an HTML description each marker is
the text of its own element (``<div>``, ``<p>``, ``<span>`` ...), and spaces inside a marker may
come back from Google's editor as ``&nbsp;``.

What ``strip_block`` removes, exactly, for every framed block (and nothing else):

1. the elements that open *immediately* before ``BLOCK_BEGIN`` (``<div><span>``) together with
   the matching close tags *immediately* after ``BLOCK_END`` (``</span></div>``), only as far as
   they balance each other, so a container that also holds user text is never cut;
2. everything from the begin marker to the end marker, both included;
3. one line break that the writer added to separate the block from the user's text: the one
   directly after the block if there is one (``\\r\\n``, ``\\n`` or ``<br>`` in any spelling),
   otherwise the one directly before it.

So the writer's side of the contract is: put the block on its own line and add exactly one line
break after it, or, when the block ends the description, exactly one before it. Markers that do
not pair up (a begin without an end, an end without a begin) are left alone: without both we
cannot know where the block ends, and user text is never dropped on a guess.
"""

from __future__ import annotations

import re

BLOCK_BEGIN = "-- hybrid-calendar:join-details:begin --"
BLOCK_END = "-- hybrid-calendar:join-details:end --"

_SPACE = r"(?:[ \t\xa0]|&nbsp;|&#160;|&#[xX][aA]0;)+"
_OPEN_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9]*)\b[^<>]*>\Z")
_BREAK_AFTER = re.compile(r"\r\n|\n|<br\s*/?>", re.IGNORECASE)
_BREAK_BEFORE = re.compile(r"(?:\r\n|\n|<br\s*/?>)\Z", re.IGNORECASE)


def _marker(text: str) -> str:
    return _SPACE.join(re.escape(part) for part in text.split(" "))


_BLOCK = re.compile(_marker(BLOCK_BEGIN) + r".*?" + _marker(BLOCK_END), re.DOTALL)
_VOID = frozenset({"br", "hr", "img", "wbr", "meta", "link", "input"})


def _wrapper_tags(text: str, start: int) -> tuple[int, list[str]]:
    """Walk back over the open tags directly before ``start``; return the new start and their names."""
    names: list[str] = []
    while start > 0 and text[start - 1] == ">":
        opening = text.rfind("<", 0, start)
        if opening < 0:
            break
        match = _OPEN_TAG.match(text, opening, start)
        if match is None or match.group(1).lower() in _VOID:
            break
        names.append(match.group(1).lower())
        start = opening
    return start, names


def _closing_tags(text: str, end: int, names: list[str]) -> tuple[int, int]:
    """Consume ``</name>`` for the innermost wrappers first; return the new end and how many matched."""
    matched = 0
    for name in names:
        close = re.compile(rf"</{name}\s*>", re.IGNORECASE).match(text, end)
        if close is None:
            break
        end = close.end()
        matched += 1
    return end, matched


def _span(text: str, begin: int, end: int) -> tuple[int, int]:
    """Return the exact slice to cut for a block whose markers span ``text[begin:end]``."""
    start, wrappers = _wrapper_tags(text, begin)
    end, matched = _closing_tags(text, end, wrappers)
    if matched < len(wrappers):  # keep only the wrappers that balance
        start, _ = _wrapper_tags(text, begin)
        for _unused in wrappers[matched:]:
            start = text.index(">", start) + 1
    after = _BREAK_AFTER.match(text, end)
    if after is not None:
        return start, after.end()
    before = _BREAK_BEFORE.search(text, 0, start)
    if before is not None:
        return before.start(), end
    return start, end


def strip_block(text: str) -> str:
    """Remove every join block framed by our markers, as the module docstring details.

    Text without a complete begin/end pair is returned unchanged, character for character.
    """
    if not text:
        return text
    pieces: list[str] = []
    cursor = 0
    for match in _BLOCK.finditer(text):
        start, end = _span(text, match.start(), match.end())
        start = max(start, cursor)
        pieces.append(text[cursor:start])
        cursor = end
    if cursor == 0:
        return text
    pieces.append(text[cursor:])
    return "".join(pieces)


def insert_block(text: str, block: str, *, html: bool) -> str:
    """Append ``block`` on its own line, keeping ``text`` byte for byte (the writer's contract above)."""
    if not text:
        return block
    return text + ("<br>" if html else "\n") + block


def replace_block(text: str, block: str | None, *, html: bool) -> str:
    """Remove our blocks from ``text`` and, when ``block`` is given, append it once."""
    user_text = strip_block(text)
    return user_text if block is None else insert_block(user_text, block, html=html)


def has_block(text: str) -> bool:
    """True when ``text`` holds a complete join block."""
    return bool(text) and _BLOCK.search(text) is not None
