"""Text from a URL, a file or the database is shown as typed, never read as markdown.

Streamlit renders alerts, captions, toasts and labels as GitHub-flavoured markdown. `live`
below finds what such a body would turn into a link, an image or HTML (after code spans and
backslash escapes, as CommonMark reads them, plus the bare-URL links Streamlit adds); `shown`
is the text a reader sees.
"""

from __future__ import annotations

import re

import pytest

import ui
from creditdash.errors import InvalidArgument
from creditdash.i18n import Text

EVIL = "x` ![pic](https://evil.example/p.png) [click](https://evil.example/) `"
NASTY = [
    EVIL,
    "<img src=https://evil.example/p.png> <https://evil.example> https://evil.example www.evil.example",
    "**bold** _it_ ~~gone~~ $x^2$ :red[red] # heading | a | b |",
    "- listed",
    "1. numbered",
    "> quoted \\[ back\\slash ``` fence",
    "line one\nline two",
]
WORD_JOINER = "\u2060"


def _code_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, content) of each code span, CommonMark's way: a run of n backticks up to
    the next run of exactly n; an escaped backtick starts none."""
    spans, at = [], 0
    while True:
        opening = re.compile(r"(?<!\\)(`+)").search(text, at)
        if opening is None:
            return spans
        n = len(opening.group(1))
        closing = re.compile(rf"(?<!`)`{{{n}}}(?!`)").search(text, opening.end())
        if closing is None:
            at = opening.end()
            continue
        body = text[opening.end() : closing.start()]
        if body.startswith(" ") and body.endswith(" ") and body.strip():
            body = body[1:-1]
        spans.append((opening.start(), closing.end(), body))
        at = closing.end()


def _outside_code(text: str) -> str:
    """The text with code spans blanked and escaped characters replaced by a placeholder."""
    for start, end, _ in reversed(_code_spans(text)):
        text = text[:start] + " " * (end - start) + text[end:]
    return re.sub(r"\\[!-/:-@\[-`{-~]", "\0", text)


def live(markdown: str) -> list[str]:
    """The constructs in `markdown` that would render as a link, an image or HTML."""
    text = _outside_code(markdown)
    patterns = {
        "link or image": r"\[[^\]]*\]\(",
        "autolink or html": r"<[A-Za-z/!?]",
        "bare link": r"(?i)https?://|www\.",
        "entity": r"&#?\w+;",
    }
    return [name for name, pattern in patterns.items() if re.search(pattern, text)]


def shown(markdown: str) -> str:
    """The text a reader sees: code spans' content and escaped characters as themselves."""
    out, at = [], 0
    for start, end, body in _code_spans(markdown):
        out += [re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown[at:start]), body]
        at = end
    out.append(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown[at:]))
    return "".join(out).replace(WORD_JOINER, "")


@pytest.fixture
def english(monkeypatch):
    monkeypatch.setattr(ui, "lang", lambda: "en")


@pytest.mark.parametrize("text", NASTY)
def test_escaped_text_shows_as_typed_and_nothing_is_live(text):
    escaped = ui.escape_markdown(text)
    assert live(escaped) == []
    assert shown(escaped) == " ".join(text.splitlines())
    span = ui.code_span(text)
    assert live(span) == [] and shown(span) == " ".join(text.splitlines())


def test_no_list_heading_or_quote_starts_from_a_value():
    escaped = [ui.escape_markdown(start + "x") for start in ("- ", "+ ", "# ", "> ", "12. ", "2) ")]
    assert escaped == ["\\- x", "\\+ x", "\\# x", "\\> x", "12\\. x", "2\\) x"]


def test_the_value_filled_in_as_it_was_went_live(english):
    """How the review page used to fill in its warning: the check finds the link and image."""
    assert live(ui.tr("review.unknown.salesperson", value=EVIL)) == ["link or image", "bare link"]


def test_a_catalogue_sentence_keeps_its_markdown_and_shows_values_as_typed(english):
    warning = ui.tr_md("review.unknown.salesperson", value=EVIL)
    assert live(warning) == []
    assert shown(warning) == f"{EVIL} is not a known salesperson; showing all."
    caption = ui.tr_md("policy.caption", version=2, author="[me](https://evil.example)",
                       when="2025-01-01 10:00", note="**urgent** <b>x</b>")  # fmt: skip
    assert live(caption) == [] and "[me](https://evil.example) on" in shown(caption)


def test_error_messages_show_the_values_they_name_as_typed(english):
    err = InvalidArgument.coded(
        "error.choice", "`{name}` must be one of {options}. Got {value!r}.",
        name="lang", options="en, zh", value=EVIL,
    )  # fmt: skip
    text = ui.error_text(err)
    assert text.startswith("`lang` must be one of en, zh. Got ")  # the template's own code span
    assert live(text) == [] and shown(text).endswith(f"Got {EVIL!r}.")
    plain = ui.error_text(ValueError(EVIL))  # a message without a code is escaped whole
    assert live(plain) == [] and shown(plain) == EVIL
    sentence = ui.said_md(Text("auth.no_role", {"email": "[a](https://evil.example)@x.cn"}))
    assert live(sentence) == [] and shown(sentence).startswith("[a](https://evil.example)@x.cn")


def test_a_hostile_query_string_renders_no_link_or_image(demo_app):
    demo_app.query_params["salesperson"] = EVIL
    demo_app.query_params["region"] = "[click](https://evil.example) <https://evil.example>"
    at = demo_app.run()
    at.switch_page("pages/review.py").run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 2 and all(live(w) == [] for w in warnings), warnings
    assert shown(warnings[0]) == f"{EVIL} is not a known salesperson; showing all."
    assert shown(warnings[1]).startswith("[click](https://evil.example) <https://evil.example>")


def test_a_hostile_file_name_renders_no_link_or_image(empty_app):
    name = "![pic](https://evil.example/p.png)[a](https://evil.example).csv"
    body = b"Invoice No,Customer ID,Invoice Date,Amount\nZ1,C1,2024-01-02,1.00\n"
    at = empty_app.run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value((name, body, "text/csv")).run()
    at.button(key="do_import").click().run()
    assert not at.exception, [e.value for e in at.exception]
    bodies = [m.value for m in at.markdown] + [c.value for c in at.caption]
    bodies += [s.value for s in at.success] + [c.value for c in at.sidebar.caption]
    mentions = [b for b in bodies if "evil" in b]
    assert mentions and all(live(b) == [] for b in mentions), mentions
    assert any(name in shown(b) for b in mentions)
