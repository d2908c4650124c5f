"""The agenda: an event description as plain text, HTML converted, our own join block removed.

Google stores a description as plain text until someone formats it in the Calendar web editor;
then it is an HTML fragment (``<br>``, ``<b>``, ``<a href>``, ``<ul><li>``). ``looks_like_html``
tells the two apart, ``html_to_text`` converts the fragment with BeautifulSoup's ``html.parser``
(lenient with broken markup), and ``agenda_text`` puts it together.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction

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


def _link_text(tag: Tag, inner: str, *, scan: bool) -> str:
    href = tag.get("href")
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
    """Walks a parsed fragment and renders it as text with ``\\n`` for block boundaries."""

    def __init__(self, *, scan: bool = False) -> None:
        self.parts: list[str] = []
        self.scan = scan

    def render(self, node: Tag) -> str:
        self._children(node, pre=False)
        return "".join(self.parts)

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith(_NEWLINE):
            self.parts.append(_NEWLINE)

    def _children(self, node: Tag, *, pre: bool) -> None:
        for child in node.children:
            if isinstance(child, Comment | Declaration | Doctype | ProcessingInstruction):
                continue
            if isinstance(child, NavigableString):
                self.parts.append(str(child) if pre else _SPACES.sub(" ", str(child)))
            elif isinstance(child, Tag):
                self._tag(child, pre=pre)

    def _tag(self, tag: Tag, *, pre: bool) -> None:
        name = tag.name.lower()
        if name in _DROPPED:
            return
        if name == "br":
            self.parts.append(_NEWLINE)
        elif name == "li":
            self._newline()
            self.parts.append("- ")
            self._children(tag, pre=pre)
            self._newline()
        elif name == "a":
            inner = _Renderer(scan=self.scan)
            inner._children(tag, pre=pre)
            self.parts.append(_link_text(tag, "".join(inner.parts), scan=self.scan))
        elif name in _BLOCKS:
            self._newline()
            self._children(tag, pre=pre or name == "pre")
            self._newline()
        elif name in _CELLS:
            self._children(tag, pre=pre)
            self.parts.append(" ")
        else:
            self._children(tag, pre=pre)


def _tidy(text: str, *, collapse: bool) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if collapse:
        lines = [_LINE_SPACES.sub(" ", line).strip() for line in lines]
    else:
        lines = [line.replace("\xa0", " ").rstrip() for line in lines]
    joined = "\n".join(lines).strip("\n")
    return _BLANK_RUN.sub("\n\n\n", joined)


@lru_cache(maxsize=1024)
def html_to_text(html: str, *, scan: bool = False) -> str:
    """Convert an HTML fragment to text: breaks kept, ``<li>`` as "- " bullets, links as "text (url)".

    Script, style and similar content is dropped, entities are decoded, runs of spaces collapse,
    and at most two blank lines follow each other. A link shows its URL only when it differs
    from the link text; with ``scan`` (for join-link detection) every URL is shown and an
    address link is rendered as its ``mailto:`` URI alone.
    """
    soup = BeautifulSoup(html, "html.parser")
    return _tidy(_Renderer(scan=scan).render(soup), collapse=True)


def agenda_text(description: str) -> str:
    """Return the description as plain text for the meeting list, without our join block.

    Plain text keeps its own spacing (indentation included); only line ends are unified,
    trailing spaces dropped and runs of blank lines capped at two.
    """
    if not description:
        return ""
    text = strip_block(description)
    text = html_to_text(text) if looks_like_html(text) else _tidy(text, collapse=False)
    return strip_block(text)
