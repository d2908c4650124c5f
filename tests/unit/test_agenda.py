"""Agenda text: HTML to text, plain-text tidying, and removal of our own join block in both forms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.agenda import agenda_text, html_to_text, looks_like_html
from shared.domain.joinblock import BLOCK_BEGIN, BLOCK_END, strip_block

TEXT_BLOCK = f"{BLOCK_BEGIN}\nJoin: https://acme.webex.com/meet/jdoe\nVideo: jdoe@acme.webex.com\n{BLOCK_END}"
HTML_BLOCK = (
    f"<div>{BLOCK_BEGIN}</div><div>Join: "
    '<a href="https://acme.webex.com/meet/jdoe">https://acme.webex.com/meet/jdoe</a></div>'
    f"<div>{BLOCK_END}</div>"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Line one<br>Line two<br/>Line three<BR />end", "Line one\nLine two\nLine three\nend"),
        ("<p>First</p><p>Second</p><div>Third</div>", "First\nSecond\nThird"),
        ("<ul><li>alpha</li><li><b>beta</b></li></ul>after", "- alpha\n- beta\nafter"),
        ('See <a href="https://example.com/doc">the doc</a>.', "See the doc (https://example.com/doc)."),
        ('<a href="https://example.com/doc">https://example.com/doc</a>', "https://example.com/doc"),
        ('<a href="mailto:ann@example.com">ann@example.com</a>', "ann@example.com"),
        ('<a href="https://example.com/x"></a>', "https://example.com/x"),
        ("<b>Fish &amp; chips</b>&nbsp;&lt;3 &#39;today&#39; &eacute;t&eacute;", "Fish & chips <3 'today' été"),
        ("<p>a    b\n   c</p>", "a b c"),
        ("<p>Hi</p><script>alert('x')</script><style>p{color:red}</style><p>there</p>", "Hi\nthere"),
        ("one<br><br><br><br><br><br>two", "one\n\n\ntwo"),
        ("<p>Hello <b>world</p><div>unclosed <i>italic", "Hello world\nunclosed italic"),
        ("<p>ok</p><script>never closed https://evil.example.com", "ok"),
        ("<!-- a comment --><p>kept</p><!DOCTYPE html>", "kept"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
        ("<pre>keep\nlines</pre>", "keep\nlines"),
    ],
)
def test_html_descriptions_become_text(text: str, expected: str) -> None:
    """HTML converts to text with breaks, bullets, links as text (url), entities decoded, scripts dropped."""
    assert agenda_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Plain\r\nwindows\rold mac", "Plain\nwindows\nold mac"),
        ("  indented\n\tkept   \n", "  indented\n\tkept"),
        ("a\n\n\n\n\n\nb", "a\n\n\nb"),
        ("\n\nstart and end\n\n", "start and end"),
        ("AT&amp;T < Verizon > none", "AT&amp;T < Verizon > none"),
        ("Join <https://example.com/x>", "Join <https://example.com/x>"),
        ("", ""),
    ],
)
def test_plain_text_descriptions_are_tidied_only(text: str, expected: str) -> None:
    """Plain text keeps its characters and indentation; line ends, trailing spaces and blank runs are tidied."""
    assert agenda_text(text) == expected


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("a<br>b", True),
        ("<B>bold</B>", True),
        ('<a href="x">y</a>', True),
        ("<ul><li>x", True),
        ("a < b and c > d", False),
        ("Join <https://example.com>", False),
        ("<sip:room@example.com>", False),
        ("x<y>z", False),
    ],
)
def test_html_detection(text: str, html: bool) -> None:
    """Only text with real formatting tags is treated as HTML."""
    assert looks_like_html(text) is html


@pytest.mark.parametrize(
    ("composed", "user"),
    [
        (f"Agenda\n{TEXT_BLOCK}", "Agenda"),
        (f"{TEXT_BLOCK}\nAgenda", "Agenda"),
        (f"Before\n{TEXT_BLOCK}\nAfter", "Before\nAfter"),
        (f"Before\r\n{TEXT_BLOCK}\r\nAfter", "Before\r\nAfter"),
        (f"Agenda  \n\n{TEXT_BLOCK}", "Agenda  \n"),
        (TEXT_BLOCK, ""),
        (f"<p>Agenda</p><br>{HTML_BLOCK}", "<p>Agenda</p>"),
        (f"{HTML_BLOCK}<br>Agenda <b>x</b>", "Agenda <b>x</b>"),
        (f"<b>A</b><br>{HTML_BLOCK}<br/><i>B</i>", "<b>A</b><br><i>B</i>"),
        (f"<div>keep<br>{BLOCK_BEGIN}<br>x<br>{BLOCK_END}</div>", "<div>keep</div>"),
        (f"A\n{BLOCK_BEGIN.replace(' ', '&nbsp;')}\nx\n{BLOCK_END.replace(' ', '&nbsp;')}", "A"),
        (f"A\n{TEXT_BLOCK}\nB\n{TEXT_BLOCK}\nC", "A\nB\nC"),
        (f"<p><span>{BLOCK_BEGIN}</span></p>x<p>{BLOCK_END}</p>", "<p><span></p>"),
        (f"<p><span>{BLOCK_BEGIN}<br>x<br>{BLOCK_END}</span>tail</p>", "<p>tail</p>"),
    ],
)
def test_strip_block_removes_exactly_the_block(composed: str, user: str) -> None:
    """The block, its wrappers and one separating break go; the user's text stays byte for byte."""
    assert strip_block(composed) == user


@pytest.mark.parametrize(
    "text",
    [
        f"A\n{BLOCK_BEGIN}\nno end marker, keep everything",
        f"A\n{BLOCK_END}\n{BLOCK_BEGIN}\nreversed",
        "-- hybrid-calendar:join-details --",
    ],
)
def test_unpaired_markers_keep_the_text(text: str) -> None:
    """Without a begin and a later end marker nothing is removed."""
    assert strip_block(text) == text


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (f"Agenda:\n- budget\n{TEXT_BLOCK}", "Agenda:\n- budget"),
        (f"{TEXT_BLOCK}\nAgenda", "Agenda"),
        (f"Before\n{TEXT_BLOCK}\nAfter", "Before\nAfter"),
        (f"<b>Agenda</b><br>{HTML_BLOCK}", "Agenda"),
        (f"{HTML_BLOCK}<br>Agenda", "Agenda"),
        (f"<p>Before</p>{HTML_BLOCK}<br><p>After &amp; more</p>", "Before\nAfter & more"),
    ],
)
def test_agenda_drops_our_block(description: str, expected: str) -> None:
    """The agenda never shows our own join block, at the start, middle or end, text or HTML."""
    assert agenda_text(description) == expected


def test_html_to_text_scan_mode_shows_every_href() -> None:
    """For link detection every href is shown and address links only as mailto: URIs."""
    html = '<a href="https://x.example/a">https://x.example/a</a> <a href="mailto:a@b.example">a@b.example</a>'
    assert html_to_text(html, scan=True) == "https://x.example/a (https://x.example/a) mailto:a@b.example"


_FRAGMENTS = st.sampled_from(
    ["a", "Z", " ", "\n", "\r\n", "<br>", "<div>", "</div>", "<p>", "-", "--", ":", "hybrid-calendar", BLOCK_BEGIN, "é"]
)
_USER_TEXT = st.lists(st.sampled_from(["a", "b", " ", "\n", "<br>", "<b>", "</b>", "&amp;", "-", "x:y"])).map("".join)


@given(st.lists(_FRAGMENTS).map("".join))
def test_strip_block_leaves_text_without_a_pair_alone(text: str) -> None:
    """Text without a complete marker pair (even with begin markers) comes back unchanged."""
    assert strip_block(text) == text


@given(_USER_TEXT, _USER_TEXT, st.sampled_from(["start", "middle", "end"]), st.booleans())
def test_strip_block_inverts_the_writer_contract(before: str, after: str, where: str, as_html: bool) -> None:
    """A block inserted as joinblock documents it (one break after, or before at the end) strips to the user text."""
    block, sep = (HTML_BLOCK, "<br>") if as_html else (TEXT_BLOCK, "\n")
    if where == "start":
        user, composed = after, block + sep + after
    elif where == "middle":
        user = before + sep + after
        composed = before + sep + block + sep + after
    else:
        user, composed = before, before + sep + block
    assert strip_block(composed) == user
