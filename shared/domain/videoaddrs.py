"""Video-system addresses in invitation text: labelled SIP addresses, H.323 dialling, CVI gateways.

- An address written without a scheme (``room@vc.example.net``) is a SIP target when a video
  service hosts it (``*.webex.com``, ``zoomcrc.com``, ``bjn.vc``, ``lifesizecloud.com``,
  ``t.plcm.vc``, ``pexip.me``, a bare IP address, or a host whose first label is ``vc``,
  ``video``, ``vmr``, ``sip``, ``vtc``) or when the text labels it, on its line or the line before ("Video:",
  "SIP:", "Join by video system", "Join from a room system", translations). Any other address
  is an e-mail address, not a target.
- H.323: ``ip##id`` dial strings, and an IP address labelled for room or H.323 systems ("Join by
  H.323", "dial 173.243.2.68 and enter ...", "Video Conferencing System: ... 199.48.152.152");
  the invitation's meeting ID is appended (``h323:ip##id``) when it names one. Only the first
  IP address of a list counts.
- CVI (cloud video interop, e.g. Webex Video Integration for Microsoft Teams): an address
  followed within a few lines by a "Video Conference ID" is a gateway's IVR. Webex's
  ``<tenant>@m.webex.com`` becomes its direct-dial address ``<id>.<tenant>@m.webex.com``;
  another gateway's address is kept with the ID as label. The IVR address alone never is.
"""

from __future__ import annotations

import re

from shared.domain.meetings import JoinKind, JoinTarget

ADDRESS = r"(?<![\w.+%/:@=-])[\w.+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]+(?![\w-]|\.\w)"
IP = r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.])"
_VIDEO_HOSTS = re.compile(
    r"(?:^|\.)(?:webex\.com|zoomcrc\.com|bjn\.vc|lifesizecloud\.com|plcm\.vc|pexip\.me|onpexip\.com)$"
    r"|^(?:vc|video|vmr|sip|vtc|videoconf|visio)\.",
    re.IGNORECASE,
)
_VIDEO_LABEL = re.compile(
    r"(?<![A-Za-z0-9])(?:video(?:[ -]?(?:address|system|device|endpoint|link|call|conferenc\w*))?\s*[:\uff1a]|sip|vtc"
    r"|h\.?323)(?![A-Za-z0-9])"
    r"|room system|video system|videoconferenc|video conferencing|videokonferenz|videoadresse|videosystem"
    r"|adresse vidéo|système vidéo|visioconférence|dirección de vídeo|sistema de (?:vídeo|video)"
    r"|videoconferencia|endereço de vídeo|indirizzo video|sistema video|videoconferenza|videoadres"
    r"|videosysteem|videovergader|ビデオシステム|ビデオ アドレス|ビデオアドレス|ビデオ会議",
    re.IGNORECASE,
)
_H323_LABEL = re.compile(
    r"(?<![A-Za-z0-9])h\.?323(?!\d)|room system|video(?:[ -]conferencing)? (?:room|system)|dial in or type"
    r"|(?<![A-Za-z0-9])ip(?: address)?\s*[:\uff1a]|\b(?:dial|marcar|marque|wählen|composer|composez|discar|disque"
    r"|comporre|componi|kies|bellen)\b|ダイヤル|videokonferenz|système vidéo|sistema de v[íi]deo|ビデオ会議",
    re.IGNORECASE,
)
_VTC_ID = re.compile(
    r"(?:(?:video|vtc)[ -]?(?:conference[ -]?)?id|videokonferenz-?id|id de visioconf[ée]rence|id\.? de videoconferencia"
    r"|ビデオ会議\s*id|id da videoconfer[êe]ncia|id (?:della )?videoconferenza|id van (?:de )?videovergadering)"
    r"\s*[:\uff1a]?\s*(?P<id>\d[\d \xa0]{4,16}\d)",
    re.IGNORECASE,
)
_MEETING_ID = re.compile(
    r"(?:meeting[ -]?(?:id|number)|conference id|besprechungs-?id|id de (?:la )?r[ée]union|id de reuni[óo]n"
    r"|id da reuni[ãa]o|id riunione|vergadering-?id|ミーティング\s*id|meeting-kennnummer|meeting-nummer"
    r"|num[ée]ro de (?:la )?r[ée]union|n[úu]mero de (?:la )?reuni[óo]n|n[úu]mero da reuni[ãa]o"
    r"|numero (?:della |di )?riunione|vergader(?:ings?)?nummer|ミーティング番号|会議番号)"
    r"\s*(?:[(\uff08][^)\uff09\n]{0,40}[)\uff09])?\s*[:\uff1a]?\s*(?P<id>\d[\d \xa0-]{5,16}\d)",
    re.IGNORECASE,
)
_ADDRESS = re.compile(ADDRESS)
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_CVI_REACH = 240  # characters between a gateway address and its Video Conference ID


def _context(text: str, start: int) -> str:
    """The text of the line up to ``start`` and of the non-empty line before it."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[:line_start].rstrip("\n")
    previous = before[before.rfind("\n") + 1 :] if before else ""
    return previous + "\n" + text[line_start:start]


def is_video_address(text: str, start: int, address: str) -> bool:
    """Whether the address at ``start`` names a video system (by its host or its label)."""
    host = address.rsplit("@", 1)[1]
    if _IPV4.fullmatch(host):
        return True  # nobody's mailbox is on a bare IP address; video systems are
    return bool(_VIDEO_HOSTS.search(host) or _VIDEO_LABEL.search(_context(text, start)))


def meeting_id(text: str) -> str | None:
    """The digits of the first meeting ID the text names, if any."""
    match = _MEETING_ID.search(text)
    return re.sub(r"\D", "", match.group("id")) if match else None


def h323_from_ip(text: str, start: int, ip: str, previous_ip_end: int | None) -> JoinTarget | None:
    """An H.323 target for a labelled IP address (not one further down a list of them)."""
    if any(not 0 <= int(part) <= 255 for part in ip.split(".")):
        return None
    if previous_ip_end is not None and "\n\n" not in text[previous_ip_end:start]:
        return None  # the second and later address of one list
    if not _H323_LABEL.search(_context(text, start)):
        return None
    number = meeting_id(text)
    return JoinTarget(JoinKind.H323, f"h323:{ip}##{number}" if number else f"h323:{ip}")


def cvi_targets(text: str) -> list[tuple[int, int, JoinTarget]]:
    """``(start, end, target)`` for each gateway address followed by its Video Conference ID."""
    found = []
    for label in _VTC_ID.finditer(text):
        window_start = max(0, label.start() - _CVI_REACH)
        candidates = list(_ADDRESS.finditer(text, window_start, label.start()))
        if not candidates:
            continue
        address = candidates[-1]
        tenant, host = address.group().rsplit("@", 1)
        written = " ".join(label.group("id").replace("\xa0", " ").split())
        digits = written.replace(" ", "")
        if host.lower().endswith("webex.com"):
            target = JoinTarget(JoinKind.SIP, f"sip:{digits}.{tenant}@{host.lower()}", label=written)
        else:
            target = JoinTarget(JoinKind.SIP, f"sip:{address.group()}", label=f"Video Conference ID {written}")
        found.append((address.start(), address.end(), target))
    return found
