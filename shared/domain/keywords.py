"""Keywords in an event's location: which configured keyword (``@webex``, ``@meet`` ...) a user typed.

A location is split into tokens at whitespace, commas, semicolons, parentheses, brackets and
their full-width (CJK) forms, so it may also hold a room name or an address. A token matches a
keyword when it equals it ignoring case, after quotes around it and sentence punctuation after
it (``.``, ``!``, ``?``, ``:``) are set aside: ``@webex.`` matches ``@webex``, but ``@webexfoo``
and ``x@webex.com`` do not. When several keywords are present the most specific (longest) wins,
so ``@webex:space`` beats ``@webex``; among equals, the first one typed wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s,;()\[\]{}<>\u3001\u300c-\u300f\u3010\u3011\uff08\uff09\uff0c\uff1b]+")
_QUOTES = "\"'`\u2018\u2019\u201a\u201c\u201d\u201e\u00ab\u00bb"
_TRAILING = ".!?:\u3002\uff01\uff1a\uff1f" + _QUOTES


def _tokens(location: str) -> list[str]:
    tokens = []
    for raw in _SEPARATORS.split(location):
        token = raw.lstrip(_QUOTES).rstrip(_TRAILING).casefold()
        if token:
            tokens.append(token)
    return tokens


def find_keyword(location: str, keywords: Mapping[str, str]) -> str | None:
    """Return the configured keyword present in ``location`` as a whole token, or None.

    The keyword is returned exactly as it is spelled in ``keywords`` (lower case by convention),
    so ``keywords[find_keyword(...)]`` gives its action.
    """
    if not location or not keywords:
        return None
    return _find(location, tuple(keywords))


@lru_cache(maxsize=4096)
def _find(location: str, keywords: tuple[str, ...]) -> str | None:
    """``find_keyword`` once per distinct location and keyword set (rooms and series repeat them)."""
    by_token = {key.strip().casefold(): key for key in keywords if key.strip()}
    best: str | None = None
    for token in _tokens(location):
        key = by_token.get(token)
        if key is not None and (best is None or len(key.strip()) > len(best.strip())):
            best = key
    return best
