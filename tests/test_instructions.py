"""The guidelines as Label Studio instructions: a scoped stylesheet that survives the server's
HTML cleaning (tests/test_view_browser.py checks the lists render in a real browser)."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.instructions import CSS_CLASS, guidelines_html, instructions_html, stylesheet
from workbench.schema import load_schema

ROOT = Path(__file__).resolve().parent.parent


def test_guidelines_are_wrapped_and_styled_by_a_stylesheet_scoped_to_them() -> None:
    html = guidelines_html(
        "Steps:\n\n1. one\n2. two\n\n- a\n- b\n\n| k | v |\n|---|---|\n| 1 | x |\n"
    )
    assert html.startswith("<style>")
    css = html[len("<style>") : html.index("</style>")]
    # bleach (Label Studio's cleaning) escapes these, and CSS does not decode them back
    assert not re.search(r"[<>&]", css)
    rules = [r for r in css.splitlines() if r.strip()]
    assert rules and all(r.startswith(f".{CSS_CLASS} ") for r in rules)
    assert f".{CSS_CLASS} ol {{ list-style: decimal" in css
    assert f".{CSS_CLASS} ul {{ list-style: disc" in css
    body = html[html.index("</style>") :]
    assert f'<div class="{CSS_CLASS}">' in body
    assert "<ol>" in body and "<ul>" in body and "<table>" in body
    assert "style=" not in body  # inline styles would be dropped by the server


def test_every_selector_of_a_group_is_scoped() -> None:
    assert f".{CSS_CLASS} th, .{CSS_CLASS} td {{" in stylesheet()


def test_news_schema_instructions_carry_the_numbered_steps() -> None:
    html = instructions_html(load_schema(ROOT / "schemas" / "news-v1.yaml"))
    assert "<ol>\n<li>Mark the <strong>attributions</strong>" in html


def test_the_guidelines_hotkey_recipe_never_presses_a_label_key_on_a_selected_span() -> None:
    """In the editor a label key relabels the selected span (it starts a new one only when
    none is selected): the recipe an annotator copies must unselect (`u`) or draw before one.
    A click selects a span; a drag draws one and leaves nothing selected; `u` unselects."""
    text = (ROOT / "schemas" / "news-v1.md").read_text(encoding="utf-8")
    recipe = text[text.index("A typical direct quotation takes") :].split("\n\n")[0]
    labels = {label.hotkey for label in load_schema(ROOT / "schemas" / "news-v1.yaml").labels}
    selected, pressed = False, []
    for token in re.findall(r"click|drag|`[^`]+`", recipe):
        token = token.strip("`")
        if token == "click":
            selected = True
        elif token in ("drag", "u"):
            selected = False
        elif token in labels:
            pressed.append(token)
            assert not selected, f"label key `{token}` pressed on a selected span: {recipe}"
    assert sorted(set(pressed)) == sorted(labels)  # the recipe draws every label


def test_the_guidelines_say_how_to_accept_reject_and_correct_a_suggestion() -> None:
    """Annotators read the instructions, not the README: what a suggestion is worth, and the
    keys that accept, reject and correct one, are in the guidelines' hotkey section."""
    html = instructions_html(load_schema(ROOT / "schemas" / "news-v1.yaml"))
    hotkeys = html[html.index("6. Hotkeys") : html.index("7. Versioning")]
    section = hotkeys[hotkeys.index("Suggestions") :]
    for needed in ("miss", "<strong>Accept</strong>", "<strong>Reject</strong>", "backspace"):
        assert needed in section, needed
    assert "<strong>Correct a boundary</strong>" in section and "link it again" in section
