"""Join-target detection: where in an invitation a meeting can be joined from, best first.

``find_join_targets`` scans plain text or an HTML fragment (visible text and ``href`` values)
and returns targets in the order they appear; ``targets_from_event`` collects them from every
part of an event and ranks them. One precedence decides, rule by rule (each has its test in
``tests/unit/test_joinlinks.py``):

R1. Noise is never a target: ``mailto:`` links and e-mail addresses, ``tel:`` links and phone or
    dial-in numbers, Google's invitation footer, the products' help, install, dial-in, meeting
    options and "alternate VTC instructions" pages, click-tracking and unsubscribe links. An
    invitation with only phone numbers has no target.
R2. A wrapped link counts as the link it wraps: Outlook SafeLinks (and Teams' ATP page), Google
    redirects, Proofpoint URL Defense v1/v2/v3, FireEye, Symantec, Barracuda, Trend Micro, Cisco
    Secure Email, Sophos. A Mimecast link, which hides its target, keeps its own URI and takes
    the kind of the join host it names (a plain URL for any other host).
R3. HTML entities are decoded, angle brackets and trailing punctuation are not part of a link,
    and in HTML a link's ``href`` counts as well as its text.
R4. An app deep link (``zoommtg://``, ``zoomus://``, ``msteams:``, ``webex://``/``webexteams://``
    ``meet?sip=``) counts as its product's web join link, and only when the event holds no web
    link of that product.
R5. Video-system addresses count as SIP (``sip:``, ``sips:``, and addresses without a scheme on
    a video service's host or labelled as video/SIP addresses) and H.323 (``h323:``, ``ip##id``,
    IP addresses labelled for room systems, with the meeting ID appended). See
    :mod:`shared.domain.videoaddrs`.
R6. A gateway (CVI) address followed by its Video Conference ID counts as the direct-dial address
    (``<id>.<tenant>@m.webex.com`` for Webex) or as the address labelled with the ID; the
    gateway's bare IVR address never counts.
R7. A Webex meeting number written after its label ("Meeting number", "Meeting-Kennnummer", ...)
    counts when the event holds no Webex link: as the site's join link when a Webex site is
    named, else as the number, labelled.
R8. Kinds rank: Webex, SIP, Google Meet, Zoom, Teams, GoTo, BlueJeans, Chime, Jitsi, H.323, and
    every other URL (documents, agendas, maps) last.
R9. Within a kind: the event's location first, then its conference entry points (video before
    SIP), its ``hangoutLink``, then its description; within one text, order of appearance. A
    URI found twice (in any case) counts once, where it was first found.
R10. A meeting the organiser put in the location outranks a Google Meet conference attached to
    the event (Calendar attaches one by itself for many users): when the location holds a
    conferencing target of another kind, the Meet targets of the conference data and the
    ``hangoutLink`` move to just after the location's last conferencing target (every other
    target keeps its place).
R11. A conference a conferencing add-on made (``conferenceSolution.key.type`` ``addOn``) counts
    like any conference: its video and SIP entry points (R9), never its phone or "more" entry
    points (R1), notes or ``conferenceId``. The service's own add-on conference and the service's
    join block give the same targets in the same order for the same meeting (an event carries one
    or the other, never both); where a duplicated event carries a conference and a block copied
    from another event, the conference's entry points come first within their kind (R9).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import msgspec

from shared.domain.agenda import html_to_text, looks_like_html
from shared.domain.events import CalendarEvent
from shared.domain.joinurls import classify_url, deep_link
from shared.domain.meetingnumbers import meeting_numbers
from shared.domain.meetings import JoinKind, JoinTarget, rank_join_targets
from shared.domain.videoaddrs import ADDRESS, IP, cvi_targets, h323_from_ip, is_video_address

__all__ = ["classify_url", "find_join_targets", "targets_from_event"]

_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%']"
_VENDOR_HOSTS = (
    r"(?:[A-Za-z0-9-]+\.)*"
    r"(?:webex\.com|zoom\.us|zoomgov\.com|meet\.google\.com|teams\.microsoft\.com|teams\.live\.com"
    r"|meet\.goto\.com|gotomeet\.me|gotomeeting\.com|bluejeans\.com|chime\.aws|meet\.jit\.si|8x8\.vc)"
)
# One pattern per kind of find, in priority order: where two overlap, the one starting first wins,
# and of two starting together the earlier pattern (as one alternation would, but each pattern
# alone lets the regex engine skip ahead to where it can match).
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE | re.ASCII))
    for name, pattern in (
        ("mailto", r"mailto:[^\s<>\"]+"),
        ("tel", r"(?<![A-Za-z0-9])(?:tel|callto):[^\s<>\"]+"),
        ("url", rf"https?://{_URL_CHARS}+"),
        ("deep", rf"(?<![\w.-])(?:zoommtg|zoomus|msteams|webexteams|webex|ciscospark):/{_URL_CHARS}+"),
        ("sip", r"(?<![A-Za-z0-9])(?:sips?|h323):[A-Za-z0-9\-._~!$&*+=%@:;#]+"),
        ("ipid", r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}##[\w.]+"),
        ("address", ADDRESS),
        ("bare", rf"(?<![\w.@/:%-]){_VENDOR_HOSTS}/{_URL_CHARS}+"),
        ("ip", IP),
    )
)
# A pattern runs only when the (lower-cased) text holds one of its needles.
_NEEDLES: dict[str, tuple[str, ...]] = {
    "mailto": ("mailto:",),
    "tel": ("tel:", "callto:"),
    "url": ("http",),
    "deep": ("zoommtg:", "zoomus:", "msteams:", "webex", "ciscospark:"),
    "sip": ("sip:", "sips:", "h323:"),
    "ipid": ("##",),
    "address": ("@",),
    "bare": ("webex.com/", "zoom.us/", "zoomgov.com/", "meet.google.com/", "teams.", "goto", "bluejeans.com/",
             "chime.aws/", "meet.jit.si/", "8x8.vc/"),
    "ip": (".",),
}  # fmt: skip


def _finds(text: str) -> list[tuple[str, re.Match[str]]]:
    """Every non-overlapping find in ``text``, in order, with the name of its pattern."""
    lower = text.lower()
    found: list[tuple[int, int, str, re.Match[str]]] = []
    for priority, (name, pattern) in enumerate(_PATTERNS):
        if not any(needle in lower for needle in _NEEDLES[name]):
            continue
        found += [(m.start(), priority, name, m) for m in pattern.finditer(text)]
    found.sort(key=lambda item: (item[0], item[1]))
    out: list[tuple[str, re.Match[str]]] = []
    end = 0
    for start, _, name, match in found:
        if start >= end:
            out.append((name, match))
            end = match.end()
    return out


_TRAILING = ".,;:!?'\"*"
_MAYBE = re.compile(r"[:@/\uff1a]|\d\.\d|webex", re.IGNORECASE)


class _Found(msgspec.Struct, frozen=True):
    """A target where it was found; ``deep`` when it came from an app deep link (R4)."""

    target: JoinTarget
    deep: bool = False


def _trim(candidate: str) -> str:
    """Drop trailing punctuation and unbalanced closing brackets from a found URI."""
    while candidate:
        last = candidate[-1]
        unbalanced = (last == ")" and candidate.count("(") < candidate.count(")")) or (
            last == "]" and candidate.count("[") < candidate.count("]")
        )
        if last not in _TRAILING and not unbalanced:
            break
        candidate = candidate[:-1]
    return candidate


def _from_match(text: str, kind: str, match: re.Match[str], last_ip: int | None) -> _Found | None:
    found = _trim(match.group())
    target: JoinTarget | None = None
    if kind == "url":
        target = classify_url(found)
    elif kind == "bare":
        target = classify_url("https://" + found)
    elif kind == "deep":
        target = deep_link(found)
        return _Found(target, deep=True) if target else None
    elif kind == "address" and is_video_address(text, match.start(), found):
        target = JoinTarget(JoinKind.SIP, "sip:" + found)
    elif kind == "ipid":
        target = JoinTarget(JoinKind.H323, "h323:" + found)
    elif kind == "ip":
        target = h323_from_ip(text, match.start(), found, last_ip)
    elif kind == "sip":
        scheme, _, rest = found.partition(":")
        scheme = scheme.lower()
        if rest and ";user=phone" not in rest.lower():
            target = JoinTarget(JoinKind.H323 if scheme == "h323" else JoinKind.SIP, f"{scheme}:{rest}")
    return _Found(target) if target else None  # mailto:, tel: and e-mail addresses are consumed as noise


def _scan(text: str) -> list[_Found]:
    """The join targets found in ``text``, in order; one scan per distinct text (a series' instances share it)."""
    return list(_scan_once(text)) if text else []


@lru_cache(maxsize=1024)
def _scan_once(text: str) -> tuple[_Found, ...]:
    return tuple(_scan_text(text))


def _scan_text(text: str) -> list[_Found]:
    plain = html_to_text(text, scan=True) if looks_like_html(text) else html.unescape(text)
    if not _MAYBE.search(plain):
        return []  # no scheme, address, path or IP address: nothing to find
    gateways = cvi_targets(plain) if "@" in plain else []
    covered = [(start, end) for start, end, _ in gateways]
    placed: list[tuple[int, _Found]] = [(start, _Found(target)) for start, _, target in gateways]
    last_ip: int | None = None
    for kind, match in _finds(plain):
        if any(start <= match.start() < end for start, end in covered):
            continue
        found = _from_match(plain, kind, match, last_ip)
        if kind == "ip":
            last_ip = match.end()
        if found is not None:
            placed.append((match.start(), found))
    placed.sort(key=lambda item: item[0])
    out = [found for _, found in placed]
    out += [_Found(t) for t in meeting_numbers(plain, [f.target for f in out])]
    return out


def _resolve(found: list[_Found]) -> list[JoinTarget]:
    """Apply R4 (deep links only without a web link of their kind) and drop repeated URIs."""
    web_kinds = {f.target.kind for f in found if not f.deep}
    seen: set[str] = set()
    unique = []
    for item in found:
        if item.deep and item.target.kind in web_kinds:
            continue
        key = item.target.uri.lower()
        if key not in seen:
            seen.add(key)
            unique.append(item.target)
    return unique


def find_join_targets(text: str) -> list[JoinTarget]:
    """Return the join targets in plain text or an HTML fragment, in order of appearance, deduplicated."""
    return _resolve(_scan(text))


def _entry_point_target(kind: str, uri: str, label: str) -> JoinTarget | None:
    if kind == "video" and uri.lower().startswith(("http://", "https://")):
        target = classify_url(uri)
        return JoinTarget(target.kind, target.uri, label) if target else None
    if kind == "sip" or uri.lower().startswith(("sip:", "sips:", "h323:")):
        found = find_join_targets(uri if ":" in uri.split("@", 1)[0] else f"sip:{uri}")
        return JoinTarget(found[0].kind, found[0].uri, label) if found else None
    return None  # phone numbers and "more" pages are not places to join from


def targets_from_event(event: CalendarEvent) -> tuple[JoinTarget, ...]:
    """Collect an event's join targets (location, conference entry points, hangoutLink, description), ranked."""
    location = _scan(event.location)
    order = {"video": 0, "sip": 1}
    attached: list[_Found] = []
    for point in sorted(event.entry_points, key=lambda p: order.get(p.kind, 2)):
        target = _entry_point_target(point.kind, point.uri, point.label)
        if target is not None:
            attached.append(_Found(target))
    if event.hangout_link:
        target = classify_url(event.hangout_link)
        if target is not None:
            attached.append(_Found(target))
    ranked = rank_join_targets(_resolve([*location, *attached, *_scan(event.description)]))
    if not location or not attached:
        return ranked  # R10 moves attached Meet targets behind the location's: nothing to move
    return _location_over_attached_meet(ranked, _resolve(location), _resolve(attached))


def _location_over_attached_meet(
    ranked: tuple[JoinTarget, ...], location: list[JoinTarget], attached: list[JoinTarget]
) -> tuple[JoinTarget, ...]:
    """Rule R10: the location's conferencing targets before a Meet conference the event carries."""
    typed = {t.uri.lower() for t in location if t.kind not in (JoinKind.GOOGLE_MEET, JoinKind.URL)}
    meet = {t.uri.lower() for t in attached if t.kind is JoinKind.GOOGLE_MEET}
    if not typed or not meet:
        return ranked
    rest = [t for t in ranked if t.uri.lower() not in meet]
    moved = [t for t in ranked if t.uri.lower() in meet]
    last_typed = max(i for i, t in enumerate(rest) if t.uri.lower() in typed)
    return (*rest[: last_typed + 1], *moved, *rest[last_typed + 1 :])
