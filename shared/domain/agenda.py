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
_LINE_RUNS = re.compile(r"[\t\f\v\xa0]|  ")  # what _LINE_SPACES changes: any of these, or two spaces
_BLANK_RUN = re.compile(r"\n{4,}")
_NEWLINE = "\n"


def looks_like_html(text: str) -> bool:
    """Tell whether a description is an HTML fragment (it holds a common formatting tag)."""
    return _HTML_TAG.search(text) is not None


def _link_text(href: object, inner: str, *, scan: bool) -> str:
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
    """Walks a parsed fragment and renders one of its two texts, with ``\\n`` for block boundaries.

    The agenda and the scan text differ only in how a link is written (see ``_link_text``): a walk for
    the agenda notes whether any link is written differently for the scan (``differs``), and only then
    does the fragment need a second walk.
    """

    __slots__ = ("differs", "out", "scan")

    def __init__(self, *, scan: bool) -> None:
        self.out: list[str] = []
        self.scan = scan
        self.differs = False

    def render(self, node: LexborNode) -> str:
        self._children(node, False)
        return "".join(self.out)

    def _children(self, node: LexborNode, pre: bool) -> None:
        out = self.out
        add = out.append
        child = node.child
        while child is not None:
            tag = child.tag
            if tag == "-text":
                text = child.text_content or ""
                if not pre and (not text.isprintable() or "  " in text):  # else nothing for _SPACES to change
                    text = _SPACES.sub(" ", text)
                add(text)
            elif tag is None or tag[0] in "-!_" or tag in _DROPPED:  # comments, doctypes: no text
                pass
            elif tag == "br":
                add(_NEWLINE)
            elif tag == "li":
                if out and not out[-1].endswith(_NEWLINE):
                    add(_NEWLINE)
                add("- ")
                self._children(child, pre)
                if not out[-1].endswith(_NEWLINE):
                    add(_NEWLINE)
            elif tag == "a":
                self._link(child, pre)
            elif tag in _BLOCKS:
                if out and not out[-1].endswith(_NEWLINE):
                    add(_NEWLINE)
                self._children(child, pre or tag == "pre")
                if out and not out[-1].endswith(_NEWLINE):
                    add(_NEWLINE)
            elif tag in _CELLS:
                self._children(child, pre)
                add(" ")
            else:
                self._children(child, pre)
            child = child.next

    def _link(self, tag: LexborNode, pre: bool) -> None:
        inner = _Renderer(scan=self.scan)
        inner._children(tag, pre)
        text = "".join(inner.out)
        href = tag.attributes.get("href")
        written = _link_text(href, text, scan=self.scan)
        self.out.append(written)
        if not self.scan and not self.differs:
            self.differs = inner.differs or _link_text(href, text, scan=True) != written


def _tidy(text: str, *, collapse: bool) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if collapse:  # the spaces run within lines, so one pass over the text serves every line
        if _LINE_RUNS.search(text) is not None:  # else every run is one space already
            text = _LINE_SPACES.sub(" ", text)
        lines = [line.strip() for line in text.split("\n")]
    else:
        lines = [line.replace("\xa0", " ").rstrip() for line in text.split("\n")]
    joined = "\n".join(lines).strip("\n")
    return _BLANK_RUN.sub("\n\n\n", joined) if "\n\n\n\n" in joined else joined


@lru_cache(maxsize=1024)
def _renderings(html: str) -> tuple[str, str]:
    """Both renderings of one fragment (agenda text, scan text) from a single parse."""
    body = LexborHTMLParser(html).body
    if body is None:
        return "", ""
    walk = _Renderer(scan=False)
    agenda = walk.render(body)
    scan = _Renderer(scan=True).render(body) if walk.differs else agenda
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
