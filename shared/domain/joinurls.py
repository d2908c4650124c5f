"""What a single link in an invitation is: a product's join link, noise, or just a URL.

:func:`classify_url` answers for an ``http(s)`` URL (after taking off wrappers, see
:mod:`shared.domain.linkwrappers`); :func:`deep_link` maps an app link (``zoommtg://``,
``msteams:``, ``webex://``) onto the product's web join link. The join paths per product:

- Webex: ``/meet/<name>``, ``/join/<name>``, ``/<site>/j.php``, ``m.php?AT=JM``, join services,
  Webex Events (``onstage/g.php``); not ``help.webex.com``, ``www.webex.com`` or
  ``globalcallin.php``.
- Google Meet ``meet.google.com/abc-defg-hij`` (and ``/lookup/<name>``), Zoom ``/j/``, ``/w/``,
  ``/my/``, ``/wc/join/`` (not ``/u/`` local numbers, support or download pages), Teams
  ``/l/meetup-join/``, ``/meet/`` (not meeting options, downloads or ``aka.ms`` help).
- GoTo ``meet.goto.com/<id>``, ``app.goto.com/meeting/<id>``, ``global.gotomeeting.com/join/<id>``,
  ``gotomeet.me/<name>``; BlueJeans ``bluejeans.com/<id>``; Amazon Chime ``chime.aws/<id>`` and
  ``app.chime.aws/meetings/<id>``; Jitsi ``meet.jit.si/<room>`` and ``8x8.vc/<tenant>/<room>``.

Noise (never a target): Google's invitation footer, ``tel.meet`` pages, dial-in and "alternate
VTC instructions" pages (``dialin.*`` hosts), click-tracking and unsubscribe links, and the
products' help, install and number-list pages. Everything else is a plain URL. Pure, no I/O.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

from shared.domain.linkwrappers import mimecast_domain, unwrap
from shared.domain.meetings import JoinKind, JoinTarget

_MEET_CODE = re.compile(r"/([a-z]{3}-[a-z]{4}-[a-z]{3})/?\Z", re.IGNORECASE)
_WEBEX_MEETING = re.compile(
    r"/(?:meet|join)/[^/]+|/[^/]+/(?:j|e|k2/j)\.php|/wbxmjs/joinservice/|/webappng/sites/[^/]+/meeting/"
    r"|/[^/]+/onstage/g\.php",
    re.IGNORECASE,
)
_GOOGLE_NOISE = frozenset(
    {"google.com", "www.google.com", "calendar.google.com", "support.google.com", "accounts.google.com", "tel.meet"}
)
_TRACKING_HOST = re.compile(
    r"(?:^|\.)(?:list-manage\.com|ct\.sendgrid\.net|hubspotlinks\.com|mandrillapp\.com|mailchimp\.com|"
    r"exacttarget\.com|mktomail\.com|sailthru\.com|mailtrack\.io|clicks?\.[^.]+\.[^.]+|trk\.[^.]+\.[^.]+|"
    r"track(?:ing)?\.[^.]+\.[^.]+)$"
)
_TRACKING_PATH = re.compile(
    r"/(?:ls/click|track/click|wf/click|e3t/|ss/c/)|unsubscribe|opt-?out|email-preferences", re.IGNORECASE
)
_ZOOM_JOIN = re.compile(r"/(?:j|w|wc/join|wc)/\d+|/my/[^/]+", re.IGNORECASE)
_ZOOM_NOISE = re.compile(r"/(?:u|support|download|meeting/(?:schedule|\d+/edit))\b", re.IGNORECASE)
_DIGITS_PATH = re.compile(r"/\d{6,}/?")


def _host_is(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _webex(url: str, host: str, path: str, query: str) -> JoinTarget | None:
    if host in {"help.webex.com", "www.webex.com", "webex.com"} and not _WEBEX_MEETING.match(path):
        return None
    if path.lower().endswith("/globalcallin.php"):
        return None
    if _WEBEX_MEETING.match(path) or (path.lower().endswith("/m.php") and "AT=JM" in query.upper()):
        return JoinTarget(JoinKind.WEBEX, url)
    return JoinTarget(JoinKind.URL, url)


def _others(url: str, host: str, path: str) -> JoinTarget | None:
    """GoTo, BlueJeans, Chime and Jitsi; ``LookupError`` for any other host."""
    lower = path.lower()
    if host in {"meet.goto.com", "app.goto.com", "global.gotomeeting.com", "www.gotomeeting.com", "gotomeet.me"}:
        if re.match(r"/(?:join/|meeting/)?\d{9,}/?\Z", lower) or (host == "gotomeet.me" and len(lower) > 1):
            return JoinTarget(JoinKind.GOTO, url)
        return None if re.match(r"/(?:install|support)", lower) else JoinTarget(JoinKind.URL, url)
    if _host_is(host, "support.goto.com") or (_host_is(host, "goto.com") and lower.startswith("/support")):
        return None
    if host in {"bluejeans.com", "www.bluejeans.com"}:
        return JoinTarget(JoinKind.BLUEJEANS, url) if _DIGITS_PATH.match(lower) else None
    if host in {"chime.aws", "app.chime.aws"}:
        if re.match(r"/(?:meetings/)?\d{10}/?\Z", lower):
            return JoinTarget(JoinKind.CHIME, url)
        return None
    if host in {"meet.jit.si", "8x8.vc"}:
        if lower.startswith(("/static/", "/external_api")) or len(lower.strip("/")) < 2:
            return None
        return JoinTarget(JoinKind.JITSI, url)
    raise LookupError(host)


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
        if host.startswith(("support.", "explore.", "community.")):
            return None
        if _ZOOM_JOIN.match(path):
            return JoinTarget(JoinKind.ZOOM, url)
        return None if _ZOOM_NOISE.match(path) else JoinTarget(JoinKind.URL, url)
    if host in {"teams.microsoft.com", "teams.live.com"}:
        if path.startswith(("/l/meetup-join/", "/meet/")):
            return JoinTarget(JoinKind.TEAMS, url)
        return None if path.lower().startswith(("/meetingoptions", "/downloads")) else JoinTarget(JoinKind.URL, url)
    if _host_is(host, "webex.com"):
        return _webex(url, host, path, query)
    return _others(url, host, path)


def _noise(host: str, path: str) -> bool:
    if host in _GOOGLE_NOISE or host.endswith(".tel.meet") or host.startswith("dialin."):
        return True
    if host == "aka.ms" and path.lower().startswith("/jointeamsmeeting"):
        return True
    if _host_is(host, "microsoft.com") and "/microsoft-teams/" in path.lower():
        return True
    return bool(_TRACKING_HOST.search(host) or _TRACKING_PATH.search(path))


def _mimecast(url: str, domain: str) -> JoinTarget | None:
    """A Mimecast link: its target's kind is the named domain's, when that is a join host."""
    found = classify_url(f"https://{domain}/") if domain else None
    if found is None:
        return None
    kinds = {
        "meet.google.com": JoinKind.GOOGLE_MEET,
        "teams.microsoft.com": JoinKind.TEAMS,
        "meet.goto.com": JoinKind.GOTO,
    }
    kind = kinds.get(domain)
    if kind is None and (_host_is(domain, "zoom.us") or _host_is(domain, "zoomgov.com")):
        kind = JoinKind.ZOOM
    if kind is None and _host_is(domain, "webex.com") and domain.split(".")[0] not in {"www", "help"}:
        kind = JoinKind.WEBEX
    return JoinTarget(kind or JoinKind.URL, url)


def classify_url(url: str) -> JoinTarget | None:
    """Return the join target an ``http(s)`` URL stands for, or None when it is not one."""
    url = unwrap(url)
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        _ = parts.port  # raises on a port out of range
    except ValueError:
        return None
    if not host or " " in host:
        return None
    url = parts._replace(fragment="").geturl() if parts.fragment else url
    domain = mimecast_domain(url) if "mimecast" in host else None
    if domain is not None:
        return _mimecast(url, domain)
    if _noise(host, parts.path):
        return None
    try:
        return _vendor(url, host, parts.path, parts.query)
    except LookupError:
        return JoinTarget(JoinKind.URL, url)


def _webex_from_sip(address: str) -> str | None:
    user, _, host = address.partition("@")
    host = host.lower()
    if not user or not host.endswith(".webex.com") or host.count(".") < 2:
        return None
    site = host.split(".")[0]
    if user.isdigit():
        return f"https://{host}/{site}/m.php?AT=JM&MK={user}"
    return f"https://{host}/meet/{user}"


def deep_link(uri: str) -> JoinTarget | None:
    """The web join link an app deep link opens (Zoom, Teams, Webex), or None."""
    scheme, _, rest = uri.partition(":")
    scheme = scheme.lower()
    if scheme in ("zoommtg", "zoomus"):
        parts = urlsplit("https:" + rest if rest.startswith("//") else "https://zoom.us/" + rest)
        query = parse_qs(parts.query)
        number = (query.get("confno") or [""])[0]
        if not number.isdigit():
            return None
        host = parts.hostname or "zoom.us"
        password = (query.get("pwd") or [""])[0]
        suffix = f"?pwd={quote(password, safe='.')}" if password else ""
        return JoinTarget(JoinKind.ZOOM, f"https://{host}/j/{number}{suffix}")
    if scheme == "msteams":
        path = rest.lstrip("/")
        if path.startswith("teams.microsoft.com/"):
            path = path[len("teams.microsoft.com/") :]
        if path.startswith(("l/meetup-join/", "meet/")):
            return JoinTarget(JoinKind.TEAMS, f"https://teams.microsoft.com/{path}")
        return None
    if scheme in ("webex", "webexteams", "ciscospark"):
        query = parse_qs(urlsplit("x:" + rest).query if "?" in rest else "")
        address = (query.get("sip") or query.get("uri") or [""])[0]
        web = _webex_from_sip(address)
        return JoinTarget(JoinKind.WEBEX, web) if web else None
    return None
