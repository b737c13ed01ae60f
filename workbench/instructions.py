"""The guidelines (Markdown beside the schema) as HTML for Label Studio's instructions panel.

Label Studio's page resets list styles and margins (Tailwind's preflight) and bleach drops
inline ``style``; a ``<style>`` element survives, so the guidelines come in a ``div`` of their
own class with a stylesheet scoped to it, holding no ``>``, ``<`` or ``&`` (bleach escapes them
and inside ``<style>`` they are not decoded back).
"""

from __future__ import annotations

import html

import markdown

from workbench.schema import Schema

#: The wrapper's class: every rule is scoped to it, so nothing else on the page changes.
CSS_CLASS = "workbench-guidelines"

_RULES = {
    "h1": "font-size: 1.5em; font-weight: 600; margin: 0.2em 0 0.6em",
    "h2": "font-size: 1.25em; font-weight: 600; margin: 1.2em 0 0.5em",
    "h3": "font-size: 1.1em; font-weight: 600; margin: 1em 0 0.4em",
    "p": "margin: 0 0 0.7em",
    "ol": "list-style: decimal outside; padding-left: 1.6em; margin: 0 0 0.7em",
    "ul": "list-style: disc outside; padding-left: 1.6em; margin: 0 0 0.7em",
    "ul ul": "list-style-type: circle; margin: 0.2em 0",
    "ol ol": "list-style-type: lower-alpha; margin: 0.2em 0",
    "li": "display: list-item; margin: 0.2em 0",
    "li p": "margin: 0",
    "blockquote": (
        "border-left: 3px solid rgba(128, 128, 128, 0.5); padding-left: 0.8em; margin: 0 0 0.7em"
    ),
    "table": "border-collapse: collapse; margin: 0 0 0.7em",
    "th, td": (
        "border: 1px solid rgba(128, 128, 128, 0.5); padding: 0.2em 0.5em; text-align: left;"
        " vertical-align: top"
    ),
    "code": "background: rgba(128, 128, 128, 0.15); padding: 0 0.2em; border-radius: 3px",
    "hr": "margin: 1em 0",
}


def stylesheet() -> str:
    """The ``<style>`` element that gives the guidelines back their lists, spacing and tables."""
    rules = []
    for selectors, declarations in _RULES.items():
        scoped = ", ".join(f".{CSS_CLASS} {s.strip()}" for s in selectors.split(","))
        rules.append(f"{scoped} {{ {declarations} }}")
    return "<style>\n" + "\n".join(rules) + "\n</style>"


def guidelines_html(text: str) -> str:
    """Markdown guidelines → the HTML Label Studio shows as the project's instructions."""
    # sane_lists: a bulleted list right after a numbered one stays its own list (plain
    # Markdown folds it into the numbered one)
    body = markdown.markdown(text, extensions=["tables", "sane_lists"])
    return f'{stylesheet()}\n<div class="{CSS_CLASS}">\n{body}\n</div>'


def instructions_html(schema: Schema) -> str:
    """The schema's guidelines, rendered for Label Studio's instructions panel (its title when
    the schema names no guidelines file)."""
    path = schema.guidelines_path
    if path is None or not path.is_file():
        return f"<p>{html.escape(schema.title)}</p>"
    return guidelines_html(path.read_text(encoding="utf-8"))
