"""Links that mail gateways and redirectors wrap around the real target, and how to unwrap them.

:func:`unwrap` returns the URL a wrapper stands for, or the URL itself when it wraps nothing:

- Outlook SafeLinks (``*.safelinks.protection.outlook.com/?url=``, and the Teams ATP page
  ``statics.teams.cdn.office.net/.../atp-safelinks.html?url=``), Google redirects
  (``www.google.com/url?q=``), Barracuda (``linkprotect.cudasvc.com/url?a=``), Trend Micro
  (``*.trendmicro.com/wis/clicktime/.../query?url=``), FireEye (``protect2.fireeye.com/...?u=``),
  Symantec ClickTime (``clicktime.symantec.com/...?u=``): the target is a query parameter.
- Proofpoint URL Defense v1 (``u=`` percent-encoded), v2 (``u=`` with ``-XX`` for ``%XX`` and
  ``_`` for ``/``) and v3 (``urldefense.com/v3/__<url>__;<bytes>!...``, where each ``*`` in the
  URL stands for characters kept base64-encoded after ``__;``).
- Cisco Secure Email (``secure-web.cisco.com/<token>/<percent-encoded URL>``) and Sophos
  (``*.protection.sophos.com/?...&u=<base64 URL>``).

Wrappers nest (a SafeLink around a Proofpoint link); up to five layers are taken off. Mimecast
links (``protect-*.mimecast.com/s/...``, ``url.*.mimecastprotect.com/s/...``) do not carry
their target, only its domain: :func:`mimecast_domain` returns that domain. Pure functions, no I/O.
"""

from __future__ import annotations

import base64
import binascii
import re
import string
from urllib.parse import parse_qs, unquote, urlsplit

_QUERY_WRAPPERS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (re.compile(r"(?:.+\.)?safelinks\.protection\.outlook\.com"), "", ("url",)),
    (re.compile(r"statics\.teams\.cdn\.office\.net"), "/evergreen-assets/safelinks/", ("url",)),
    (re.compile(r"(?:www\.)?google\.[a-z.]+"), "/url", ("q", "url")),
    (re.compile(r"linkprotect\.cudasvc\.com"), "/url", ("a",)),
    (re.compile(r"(?:.+\.)?trendmicro\.com"), "/wis/clicktime/", ("url",)),
    (re.compile(r"protect2?\.fireeye\.com"), "/", ("u",)),
    (re.compile(r"clicktime\.symantec\.com"), "/", ("u",)),
    (re.compile(r"urldefense\.proofpoint\.com"), "/v1/url", ("u",)),
)
_MIMECAST = re.compile(r"(?:protect-[a-z0-9-]+\.mimecast\.com|url\.[a-z0-9.-]+\.mimecastprotect\.com)")
_V3 = re.compile(r"/v3/__(?P<url>.+?)__;(?P<bytes>[^!]*)!")
_V3_TOKEN = re.compile(r"\*(\*.)?")
_V3_RUNS = {c: n for n, c in enumerate(string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_", 2)}
_SINGLE_SLASH = re.compile(r"^([a-z0-9+.-]+:/)([^/].+)", re.IGNORECASE)
_MAX_LAYERS = 5
# A cheap look at the start of a URL (where its host is) before any parsing.
_HINT = re.compile(
    r"safelinks|teams\.cdn|google\.|cudasvc|trendmicro|fireeye|symantec|urldefense|secure-web\.cisco|sophos",
    re.IGNORECASE,
)


def _param(query: str, names: tuple[str, ...]) -> str | None:
    values = parse_qs(query)
    for name in names:
        if values.get(name):
            return values[name][0]
    return None


def _proofpoint_v2(query: str) -> str | None:
    encoded = _param(query, ("u",))
    if encoded is None:
        return None
    return unquote(re.sub(r"-([0-9A-Fa-f]{2})", r"%\1", encoded.replace("_", "/")))


def _proofpoint_v3(url: str) -> str | None:
    match = _V3.search(url)
    if match is None:
        return None
    inner = match.group("url")
    single = _SINGLE_SLASH.match(inner)
    if single:
        inner = single.group(1) + "/" + single.group(2)
    try:
        kept = base64.urlsafe_b64decode(match.group("bytes") + "==").decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    out: list[str] = []
    position = 0
    cursor = 0
    for token in _V3_TOKEN.finditer(inner):
        out.append(inner[position : token.start()])
        size = 1 if token.group() == "*" else _V3_RUNS.get(token.group()[-1], 0)
        out.append(kept[cursor : cursor + size])
        cursor += size
        position = token.end()
    out.append(inner[position:])
    return unquote("".join(out))


def _one_layer(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    for pattern, path, names in _QUERY_WRAPPERS:
        if pattern.fullmatch(host) and parts.path.startswith(path):
            return _param(parts.query, names)
    if host == "urldefense.proofpoint.com" and parts.path.startswith("/v2/url"):
        return _proofpoint_v2(parts.query)
    if host == "urldefense.com" and parts.path.startswith("/v3/"):
        return _proofpoint_v3(url)
    if host == "secure-web.cisco.com":
        _, _, rest = parts.path.lstrip("/").partition("/")
        return unquote(rest) if rest else None
    if host.endswith(".protection.sophos.com"):
        encoded = _param(parts.query, ("u",))
        if encoded:
            try:
                return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                return None
    return None


def unwrap(url: str) -> str:
    """The URL a wrapped link points at (layers removed), or ``url`` itself."""
    if not _HINT.search(url, 0, 120):
        return url
    for _ in range(_MAX_LAYERS):
        inner = _one_layer(url)
        if not inner or not inner.lower().startswith(("http://", "https://")):
            return url
        url = inner.strip()
    return url


def is_wrapper(url: str) -> bool:
    """Whether ``url`` is a known wrapper (whether or not its target could be read)."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    if _MIMECAST.fullmatch(host) or host in ("urldefense.com", "secure-web.cisco.com"):
        return True
    if host == "urldefense.proofpoint.com" or host.endswith(".protection.sophos.com"):
        return True
    return _one_layer(url) is not None


def mimecast_domain(url: str) -> str | None:
    """The target domain a Mimecast link names (``?domain=``), or None for any other link."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not _MIMECAST.fullmatch((parts.hostname or "").lower()):
        return None
    domain = _param(parts.query, ("domain",))
    return domain.lower().strip(".") if domain else ""
