"""Claim markers through Python-Markdown, and the sanitiser, on their own."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factcheck import markup
from factcheck.markup import BodyConverter, PlainMarkdown, locate, sanitise


def convert(text: str):
    """The body's HTML, each mark's chip placeholder shown as <b>id#n</b>."""
    html, found = BodyConverter().convert(text)
    marks = iter([f for f in found if f.claim_id])
    return "".join(
        part if i == 0 else f"<b>{m.claim_id}#{m.n}</b>{part}"
        for i, (part, m) in enumerate(zip(html.split(markup.CHIP), [None, *marks], strict=False))
    ), found


def marked(html: str, claim_id: str, text: str, n: int = 1) -> str:
    anchor = f"claim-{claim_id}" if n == 1 else f"claim-{claim_id}-{n}"
    return (
        f'<span class="claim" id="{anchor}"><mark class="claim-text">{text}</mark>'
        f"<b>{claim_id}#{n}</b></span>"
    )


@pytest.mark.parametrize(
    "source, wrapper",
    [
        ("A [x]{claim=c1} b", "<p>A {} b</p>"),
        ("- A [x]{claim=c1} b", "<ul>\n<li>A {} b</li>\n</ul>"),
        ("1. A [x]{claim=c1} b", "<ol>\n<li>A {} b</li>\n</ol>"),
        ("> A [x]{claim=c1} b", "<blockquote>\n<p>A {} b</p>\n</blockquote>"),
        ("## A [x]{claim=c1} b", "<h2>A {} b</h2>"),
        ("# A [x]{claim=c1} b", "<h2>A {} b</h2>"),
        (
            "| h |\n|---|\n| A [x]{claim=c1} b |",
            "<table>\n<thead>\n<tr>\n<th>h</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>A {} b</td>\n"
            "</tr>\n</tbody>\n</table>",
        ),
    ],
)
def test_marker_in_every_block_type(source, wrapper):
    html, found = convert(source)
    assert html == wrapper.format(marked(html, "c1", "x"))
    assert [(f.claim_id, f.n, f.problem) for f in found] == [("c1", 1, "")]


def test_marker_in_a_footnote():
    html, found = convert("Text[^1]\n\n[^1]: See [x]{claim=c1}.")
    assert marked(html, "c1", "x") in html
    assert [f.claim_id for f in found] == ["c1"]


def test_marked_text_keeps_inline_markdown():
    html, _ = convert("[The *US* said `x` and [more](https://example.org)]{claim=c1}")
    assert (
        marked(
            html,
            "c1",
            'The <em>US</em> said <code>x</code> and <a href="https://example.org">more</a>',
        )
        in html
    )


def test_code_and_escapes_keep_the_syntax_literal():
    source = "`[a]{claim=c1}` and \\[b]{claim=c2}\n\n```\n[c]{claim=c3}\n```\n\n    [d]{claim=c4}\n"
    html, found = convert(source)
    assert found == []
    assert "<code>[a]{claim=c1}</code>" in html
    assert "[b]{claim=c2}" in html
    assert "<pre><code>[c]{claim=c3}\n</code></pre>" in html
    assert "<pre><code>[d]{claim=c4}\n</code></pre>" in html


def test_several_marks_of_one_claim_are_numbered_in_document_order():
    html, found = convert("> quote [q]{claim=c1}\n\n[a]{claim=c1} and [b]{claim=c1}")
    assert [(f.raw, f.n) for f in found] == [
        ("[q]{claim=c1}", 1),
        ("[a]{claim=c1}", 2),
        ("[b]{claim=c1}", 3),
    ]
    assert 'id="claim-c1-3"' in html


def test_unicode_text_and_rtl_scripts():
    html, found = convert("قال [إن النهر طويل — عشرة أميال]{claim=river} أمس")
    assert marked(html, "river", "إن النهر طويل — عشرة أميال") in html
    assert found[0].claim_id == "river"


@pytest.mark.parametrize(
    "source, problem",
    [
        ("[a [b]{claim=inner} c]{claim=outer}", "claim markers cannot be nested"),
        ("[a]{clam=c1}", "unknown marker attribute 'clam'"),
        ("[a]{claim=C1}", "invalid claim id 'C1'"),
        ("[a]{claim=c1", "claim marker is not closed with '}'"),
        ("[a]{.note}", "'{.note}' after bracketed text is not a claim marker"),
        ("[a] {claim=c1}", "claim marker has no bracketed text before it"),
        ("[start\n\nend]{claim=c1}", "claim marker has no bracketed text before it"),
    ],
)
def test_malformed_markers_are_problems_not_text(source, problem):
    _, found = convert(source)
    assert [f.problem for f in found if f.problem] == [problem]


def test_locate_gives_line_and_column_in_the_file():
    body = "Intro.\n\n> quoted [x\n> y]{claim=c1}\n\n- [z]{clam=c2}\n"
    _, found = convert(body)
    assert locate(body, 10, found) == [(12, 10), (15, 3)]


def test_raw_html_is_cleaned():
    html, _ = convert(
        '<script>alert(1)</script><img src="a.png" onerror="x()">'
        '<a href="javascript:alert(1)">j</a> [m](javascript:alert(2)) '
        '<iframe srcdoc="<script>x</script>"></iframe><img src="https://e.org/t.gif">'
        '<img src="http://[bad" alt="unparsable">'
    )
    assert "<script" not in html and "onerror" not in html
    assert "javascript:" not in html and "iframe" not in html
    assert '<img src="a.png">' in html
    assert "e.org" not in html  # nothing loaded from another host
    assert "[bad" not in html


def test_plain_markdown_shows_raw_html_as_text():
    assert PlainMarkdown()("A <b>bold</b> move") == "<p>A &lt;b&gt;bold&lt;/b&gt; move</p>"


def test_sanitise_keeps_safe_structure():
    assert sanitise('<p class="x" style="color:red">a</p>') == '<p class="x">a</p>'


# Python-Markdown is given only the inline patterns whose trigger is in the text: the output
# must be exactly what it makes with every pattern, for any mix of Markdown syntax.
SYNTAX = [
    "[",
    "]",
    "(",
    ")",
    "!",
    "`",
    "\\",
    "*",
    "_",
    "**",
    "<",
    ">",
    "&",
    "#",
    ";",
    "^",
    ":",
    "=",
    "{",
    "}",
    "|",
    "-",
    "1.",
    "\n",
    "\n\n",
    "  \n",
    "\t",
    "\r",
    " ",
    "a",
    "b",
    "x1",
    "http://ex.org/p",
    "a@b.org",
    "[x]{claim=c1}",
    "[^1]",
    "\n[^1]: note\n",
    "&amp;",
    "&#35;",
    "<b>",
    "</b>",
    "<https://ex.org>",
    "![i](p.png)",
    "[r]: /u",
    "```\n",
    "~~~",
    "> ",
    "    ",
    "~",
    "\u00e9",
    "\u0627",
]
texts = st.lists(st.sampled_from(SYNTAX), max_size=40).map("".join)


@pytest.fixture(scope="module")
def converters():
    """Converters as they are made, and made while no pattern has a known trigger: those
    try every pattern on every text."""
    skipping = BodyConverter(), PlainMarkdown()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(markup, "PATTERN_TRIGGERS", {})
        return skipping, (BodyConverter(), PlainMarkdown())


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=texts)
@example(text="Text[^1] and [x]{claim=c1}.\n\n[^1]: A note with *em*.")
@example(text="\\*not em\\* \\[x]{claim=c1} a  \nb a\t\nb a  \rb")
@example(text="`code [x]{claim=c1}` &amp; &#35; <https://ex.org> a@b.org <b>x</b>")
@example(text="![i](p.png) ![r][ref] ![ref] [l](/u) [l][ref] [ref] **b** __u__\n\n[ref]: /u")
@example(text="tab\t\nbreak")
@example(text="__strong__ and _em_")
@example(text="carriage  \rreturn <a@b.org>")
def test_skipping_impossible_patterns_changes_no_output(converters, text):
    (body, plain), (every_body, every_plain) = converters
    assert plain(text) == every_plain(text)
    assert body.convert(text) == every_body.convert(text)
