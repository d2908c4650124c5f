"""Join-target detection: where in an invitation a meeting can be joined from.

``find_join_targets`` scans plain text or an HTML fragment (visible text and ``href`` values)
and returns targets in the order they appear, without duplicates:

- Webex meeting links on any ``*.webex.com`` host (``/meet/<name>``, ``/join/<name>``,
  ``/<site>/j.php?MTID=...``, ``/<site>/m.php?AT=JM&MK=...``, ``/wbxmjs/joinservice/...``,
  personal rooms) and Webex meeting numbers written after their label in en, de, fr, es, ja,
  pt, it or nl ("Meeting number: 2345 678 901"). A number becomes the site's join link
  (``https://<site>.webex.com/<site>/m.php?AT=JM&MK=<number>``) when the text names a site and
  holds no Webex meeting link of its own; with no site it stays the number, labelled.
- SIP and H.323 URIs (``sip:``, ``sips:``, ``h323:``), and Webex video addresses written bare
  (``2345678901@acme.webex.com``), which become ``sip:`` URIs.
- Google Meet (normalised to ``https://meet.google.com/abc-defg-hij``), Zoom (``/j/``, ``/w/``,
  ``/my/``), Microsoft Teams (``/l/meetup-join/``, ``/meet/``, ``teams.live.com/meet/``); these
  hosts are also recognised without a scheme, as Google's plain-text invitations write them.
- Any other ``http(s)`` URL, as ``JoinKind.URL``.

Not targets: ``mailto:`` links; the links of Google's own invitation footer
(``calendar.google.com``, ``www.google.com``, ``support.google.com``, ``accounts.google.com``,
``tel.meet`` phone-number pages; a ``www.google.com/url?q=`` redirect, like an Outlook safe link,
counts as the URL it wraps);
and the help, dial-in and settings links the conferencing products add to their invitations
(``help.webex.com``, ``www.webex.com``, Webex ``globalcallin.php``, Zoom ``/u/`` local numbers,
``aka.ms/JoinTeamsMeeting``, Teams ``meetingOptions`` and ``dialin`` pages). Trailing
punctuation (and an unbalanced closing parenthesis) is not part of a URL; HTML entities are
decoded first.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

from shared.domain.agenda import html_to_text, looks_like_html
from shared.domain.events import CalendarEvent
from shared.domain.meetings import JoinKind, JoinTarget, rank_join_targets

_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%']"
_VENDOR_HOSTS = (
    r"(?:[A-Za-z0-9-]+\.)*"
    r"(?:webex\.com|zoom\.us|zoomgov\.com|meet\.google\.com|teams\.microsoft\.com|teams\.live\.com)"
)
_SCANNER = re.compile(
    r"(?P<mailto>mailto:[^\s<>\"]+)"
    rf"|(?P<url>https?://{_URL_CHARS}+)"
    r"|(?P<sip>(?<![A-Za-z0-9])(?:sips?|h323):[A-Za-z0-9\-._~!$&*+=%@:;#]+)"
    rf"|(?P<bare>(?<![\w.@/:%-]){_VENDOR_HOSTS}/{_URL_CHARS}+)"
    r"|(?P<video>(?<![\w.+%/:-])[\w.+-]+@(?:[A-Za-z0-9-]+\.)*webex\.com(?![\w-]|\.\w))",
    re.IGNORECASE | re.ASCII,
)
_NUMBER_LABEL = (
    r"meeting\s+number|meeting-kennnummer|meeting-nummer|besprechungsnummer|"
    r"num[ée]ro\s+de\s+(?:la\s+)?r[ée]union|n[úu]mero\s+de\s+(?:la\s+)?reuni[óo]n|"
    r"n[úu]mero\s+da\s+reuni[ãa]o|numero\s+(?:della\s+|di\s+)?riunione|vergader(?:ings?)?nummer|"
    r"ミーティング番号|会議番号"
)
_MEETING_NUMBER = re.compile(
    rf"(?:{_NUMBER_LABEL})\s*(?:[(\uff08][^)\uff09\n]{{0,40}}[)\uff09])?\s*[:\uff1a]?\s*"
    r"(?P<number>\d[\d \xa0-]{7,16}\d)",
    re.IGNORECASE,
)
_MEET_CODE = re.compile(r"/([a-z]{3}-[a-z]{4}-[a-z]{3})/?\Z", re.IGNORECASE)
_WEBEX_MEETING = re.compile(
    r"/(?:meet|join)/[^/]+|/[^/]+/(?:j|e|k2/j)\.php|/wbxmjs/joinservice/|/webappng/sites/[^/]+/meeting/"
    r"|/[^/]+/onstage/g\.php",
    re.IGNORECASE,
)
_GOOGLE_NOISE = frozenset(
    {"google.com", "www.google.com", "calendar.google.com", "support.google.com", "accounts.google.com", "tel.meet"}
)
_NOT_SITES = frozenset({"www", "help", "web", "api", "signin", "idbroker", "settings", "meet", "lync"})
_TRAILING = ".,;:!?'\"*"
_SAFELINKS = ".safelinks.protection.outlook.com"


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


def _host_is(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _webex(url: str, host: str, path: str, query: str) -> JoinTarget | None:
    if host in {"help.webex.com", "www.webex.com"} or path.lower().endswith("/globalcallin.php"):
        return None
    if _WEBEX_MEETING.match(path):
        return JoinTarget(JoinKind.WEBEX, url)
    if path.lower().endswith("/m.php") and "AT=JM" in query.upper():
        return JoinTarget(JoinKind.WEBEX, url)
    return JoinTarget(JoinKind.URL, url)


def _vendor(url: str, host: str, path: str, query: str) -> JoinTarget | None:
    """Classify a URL on a conferencing product's host; raise ``LookupError`` for any other host."""
    if host == "meet.google.com":
        code = _MEET_CODE.match(path)
        if code:
            return JoinTarget(JoinKind.GOOGLE_MEET, f"https://meet.google.com/{code.group(1).lower()}")
        if path.startswith("/lookup/"):
            return JoinTarget(JoinKind.GOOGLE_MEET, f"https://meet.google.com{path}")
        return JoinTarget(JoinKind.URL, url)
    if _host_is(host, "zoom.us") or _host_is(host, "zoomgov.com"):
        if re.match(r"/(?:j|w|wc/join)/\d+|/my/[^/]+", path):
            return JoinTarget(JoinKind.ZOOM, url)
        return None if re.match(r"/(?:u|support|download)\b", path) else JoinTarget(JoinKind.URL, url)
    if host in {"teams.microsoft.com", "teams.live.com"}:
        if path.startswith(("/l/meetup-join/", "/meet/")):
            return JoinTarget(JoinKind.TEAMS, url)
        return None if path.lower().startswith("/meetingoptions") else JoinTarget(JoinKind.URL, url)
    if _host_is(host, "webex.com"):
        return _webex(url, host, path, query)
    raise LookupError(host)


def classify_url(url: str) -> JoinTarget | None:
    """Return the join target an ``http(s)`` URL stands for, or None when it is not one."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        _ = parts.port  # raises on a port out of range
    except ValueError:
        return None
    if not host:
        return None
    url = parts._replace(fragment="").geturl() if parts.fragment else url
    if (host in {"google.com", "www.google.com"} and parts.path == "/url") or host.endswith(_SAFELINKS):
        query = parse_qs(parts.query)
        inner = (query.get("q") or query.get("url") or [""])[0]
        return classify_url(inner) if inner.lower().startswith(("http://", "https://")) else None
    if host in _GOOGLE_NOISE or host.endswith(".tel.meet"):
        return None
    if host == "aka.ms" and parts.path.lower().startswith("/jointeamsmeeting"):
        return None
    if host == "dialin.teams.microsoft.com" or (
        _host_is(host, "microsoft.com") and "/microsoft-teams/" in parts.path.lower()
    ):
        return None
    try:
        return _vendor(url, host, parts.path, parts.query)
    except LookupError:
        return JoinTarget(JoinKind.URL, url)


def _webex_site(targets: list[JoinTarget]) -> str | None:
    """The Webex site host named by the first Webex link or video address, if any."""
    for target in targets:
        if target.kind not in (JoinKind.WEBEX, JoinKind.SIP):
            continue
        host = target.uri.split("@", 1)[1] if target.kind is JoinKind.SIP else urlsplit(target.uri).hostname or ""
        host = host.split(";", 1)[0].lower()
        labels = host.split(".")
        if host.endswith(".webex.com") and len(labels) >= 3 and labels[0] not in _NOT_SITES:
            return host
    return None


def _meeting_numbers(text: str, targets: list[JoinTarget]) -> list[JoinTarget]:
    if any(t.kind is JoinKind.WEBEX for t in targets):
        return []
    site = _webex_site(targets)
    if site is None and "webex" not in text.lower():
        return []
    found = []
    for match in _MEETING_NUMBER.finditer(text):
        written = " ".join(match.group("number").replace("\xa0", " ").replace("-", " ").split())
        digits = written.replace(" ", "")
        if not 9 <= len(digits) <= 11:
            continue
        if site is None:
            found.append(JoinTarget(JoinKind.WEBEX, digits, label=written))
        else:
            uri = f"https://{site}/{site.split('.')[0]}/m.php?AT=JM&MK={digits}"
            found.append(JoinTarget(JoinKind.WEBEX, uri, label=written))
    return found


def _from_match(match: re.Match[str]) -> JoinTarget | None:
    kind = match.lastgroup
    found = _trim(match.group())
    if kind == "url":
        return classify_url(found)
    if kind == "bare":
        return classify_url("https://" + found)
    if kind == "video":
        return JoinTarget(JoinKind.SIP, "sip:" + found)
    if kind == "sip":
        scheme, _, rest = found.partition(":")
        if not rest:
            return None
        scheme = scheme.lower()
        return JoinTarget(JoinKind.H323 if scheme == "h323" else JoinKind.SIP, f"{scheme}:{rest}")
    return None  # mailto: consumed so its address is not read as anything else


def find_join_targets(text: str) -> list[JoinTarget]:
    """Return the join targets in plain text or an HTML fragment, in order of appearance, deduplicated."""
    if not text:
        return []
    plain = html_to_text(text, scan=True) if looks_like_html(text) else html.unescape(text)
    targets = [t for t in map(_from_match, _SCANNER.finditer(plain)) if t is not None]
    targets.extend(_meeting_numbers(plain, targets))
    seen: set[str] = set()
    unique = []
    for target in targets:
        key = target.uri.lower()
        if key not in seen:
            seen.add(key)
            unique.append(target)
    return unique


def _entry_point_target(kind: str, uri: str, label: str) -> JoinTarget | None:
    if kind == "video" and uri.lower().startswith(("http://", "https://")):
        target = classify_url(uri)
        return JoinTarget(target.kind, target.uri, label) if target else None
    if kind == "sip" or uri.lower().startswith(("sip:", "sips:", "h323:")):
        found = find_join_targets(uri)
        return JoinTarget(found[0].kind, found[0].uri, label) if found else None
    return None  # phone numbers and "more" pages are not places to join from


def targets_from_event(event: CalendarEvent) -> tuple[JoinTarget, ...]:
    """Collect an event's join targets (location, conference entry points, hangoutLink, description), ranked."""
    found = find_join_targets(event.location)
    order = {"video": 0, "sip": 1}
    for point in sorted(event.entry_points, key=lambda p: order.get(p.kind, 2)):
        target = _entry_point_target(point.kind, point.uri, point.label)
        if target is not None:
            found.append(target)
    if event.hangout_link:
        target = classify_url(event.hangout_link)
        if target is not None:
            found.append(target)
    found.extend(find_join_targets(event.description))
    return rank_join_targets(found)
