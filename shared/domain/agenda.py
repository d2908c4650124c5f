"""The agenda: an event description as plain text, HTML converted, our own join block removed.

Google stores a description as plain text until someone formats it in the Calendar web editor;
then it is an HTML fragment (``<br>``, ``<b>``, ``<a href>``, ``<ul><li>``). ``looks_like_html``
tells the two apart, ``html_to_text`` converts the fragment with lexbor (through selectolax: an HTML5
parser in C, lenient with broken markup), and ``agenda_text`` puts it together. One parse renders both
forms a description is read in (the agenda text and the join-link scan text), so a description is
parsed once per sync.
"""

from __future__ import annotations

import re
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

from shared.domain.joinblock import strip_block

_HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|big|blockquote|body|br|center|code|dd|div|dl|dt|em|font|h[1-6]|head|hr|html|i|img|li|"
    r"meta|ol|p|pre|s|script|small|span|strike|strong|style|sub|sup|table|tbody|td|th|thead|tr|tt|u|ul)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_DROPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "iframe", "object", "svg"})
_BLOCKS = frozenset(
    {
        "p", "div", "blockquote", "pre", "table", "tr", "ul", "ol", "dl", "dt", "dd", "section", "article",
        "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "address", "center", "body", "html",
    }
)  # fmt: skip
_CELLS = frozenset({"td", "th"})
_SPACES = re.compile(r"[ \t\f\v\r\n\xa0\u200b]+")
_LINE_SPACES = re.compile(r"[ \t\f\v\xa0]+")
_BLANK_RUN = re.compile(r"\n{4,}")
_NEWLINE = "\n"


def looks_like_html(text: str) -> bool:
    """Tell whether a description is an HTML fragment (it holds a common formatting tag)."""
    return _HTML_TAG.search(text) is not None


def _link_text(tag: LexborNode, inner: str, *, scan: bool) -> str:
    href = tag.attributes.get("href")
    url = href.strip() if isinstance(href, str) else ""
    label = inner.strip()
    if not url or url.startswith("#") or url.lower().startswith("javascript:"):
        return inner
    if scan:  # for link detection: every href shown, an address link only as its mailto: URI
        return f" {url} " if url.lower().startswith("mailto:") else f"{inner} ({url})"
    if not label:
        return url
    bare = url[len("mailto:") :] if url.lower().startswith("mailto:") else url
    if label.rstrip("/") in {url.rstrip("/"), bare.rstrip("/")}:
        return inner
    return f"{inner} ({url})"


class _Renderer:
    """Walks a parsed fragment once and renders both texts of it with ``\\n`` for block boundaries.

    ``agenda`` and ``scan`` differ only in how a link is written (see ``_link_text``); every other
    node adds the same to both, so one walk serves the two.
    """

    __slots__ = ("agenda", "scan")

    def __init__(self) -> None:
        self.agenda: list[str] = []
        self.scan: list[str] = []

    def render(self, node: LexborNode) -> tuple[str, str]:
        self._children(node, pre=False)
        return "".join(self.agenda), "".join(self.scan)

    def _newline(self) -> None:
        agenda, scan = self.agenda, self.scan
        if agenda and not agenda[-1].endswith(_NEWLINE):
            agenda.append(_NEWLINE)
        if scan and not scan[-1].endswith(_NEWLINE):
            scan.append(_NEWLINE)

    def _add(self, text: str) -> None:
        self.agenda.append(text)
        self.scan.append(text)

    def _children(self, node: LexborNode, *, pre: bool) -> None:
        add_agenda, add_scan = self.agenda.append, self.scan.append
        child = node.child
        while child is not None:
            tag = child.tag
            if tag == "-text":
                text = child.text_content or ""
                if not pre and (not text.isprintable() or "  " in text):  # else nothing for _SPACES to change
                    text = _SPACES.sub(" ", text)
                add_agenda(text)
                add_scan(text)
            elif tag is not None and tag[0] not in "-!_":  # comments, doctypes and the like carry no text
                self._tag(child, tag, pre=pre)
            child = child.next

    def _tag(self, tag: LexborNode, name: str, *, pre: bool) -> None:
        if name in _DROPPED:
            return
        if name == "br":
            self._add(_NEWLINE)
        elif name == "li":
            self._newline()
            self._add("- ")
            self._children(tag, pre=pre)
            self._newline()
        elif name == "a":
            inner = _Renderer()
            inner._children(tag, pre=pre)
            self.agenda.append(_link_text(tag, "".join(inner.agenda), scan=False))
            self.scan.append(_link_text(tag, "".join(inner.scan), scan=True))
        elif name in _BLOCKS:
            self._newline()
            self._children(tag, pre=pre or name == "pre")
            self._newline()
        elif name in _CELLS:
            self._children(tag, pre=pre)
            self._add(" ")
        else:
            self._children(tag, pre=pre)


def _tidy(text: str, *, collapse: bool) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if collapse:  # the spaces run within lines, so one pass over the text serves every line
        lines = [line.strip() for line in _LINE_SPACES.sub(" ", text).split("\n")]
    else:
        lines = [line.replace("\xa0", " ").rstrip() for line in text.split("\n")]
    joined = "\n".join(lines).strip("\n")
    return _BLANK_RUN.sub("\n\n\n", joined)


@lru_cache(maxsize=1024)
def _renderings(html: str) -> tuple[str, str]:
    """Both renderings of one fragment (agenda text, scan text) from a single parse."""
    body = LexborHTMLParser(html).body
    if body is None:
        return "", ""
    agenda, scan = _Renderer().render(body)
    text = _tidy(agenda, collapse=True)
    return text, text if scan == agenda else _tidy(scan, collapse=True)


def html_to_text(html: str, *, scan: bool = False) -> str:
    """Convert an HTML fragment to text: breaks kept, ``<li>`` as "- " bullets, links as "text (url)".

    Script, style and similar content is dropped, entities are decoded, runs of spaces collapse,
    and at most two blank lines follow each other. A link shows its URL only when it differs
    from the link text; with ``scan`` (for join-link detection) every URL is shown and an
    address link is rendered as its ``mailto:`` URI alone.
    """
    return _renderings(html)[1 if scan else 0]


def agenda_text(description: str) -> str:
    """Return the description as plain text for the meeting list, without our join block.

    Plain text keeps its own spacing (indentation included); only line ends are unified,
    trailing spaces dropped and runs of blank lines capped at two. A description without our
    block shares its one parse with the join-link scan (``html_to_text`` caches both renderings).
    """
    if not description:
        return ""
    text = strip_block(description)
    text = html_to_text(text) if looks_like_html(text) else _tidy(text, collapse=False)
    return strip_block(text)
