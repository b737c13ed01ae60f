"""Label Studio's own template gallery, as a team would bring it: every text template of the
installed Label Studio (`annotation_templates/*/*/config.yml`) is imported with `schema import`
or refused with its one-line reason; for each one imported, an export with results for every
control of the config (`ls_template_results.make_export`: 3 annotators × 3 tasks, partly
disagreeing) is pulled with nothing quarantined, measured, reconciled and released, with the
results of controls the schema left out kept in the release as they were.

The templates are read from the installed Label Studio (the one the `labelstudio` tests run);
without it the parametrised tests skip and `test_the_gallery_is_read_from_the_install` installs
it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ls_template_results import Template, imported_schema, left_out, make_export, templates

from workbench.config import load_settings
from workbench.errors import ConfigError
from workbench.export.release import export_dataset
from workbench.labelstudio import install
from workbench.pull_file import pull_from_file
from workbench.reconcile import commands
from workbench.reconcile.save import reconcile
from workbench.schema.dialogue import render
from workbench.schema.importer import import_config
from workbench.status import problems, status
from workbench.store import Store

#: Text templates refused, with why: their controls label an object a schema cannot hold, or
#: ask what no schema question can. Any other text template must import.
REFUSED = {
    "audio-speech-processing/conversational-analysis": (
        "<ParagraphLabels name='label'> labels inside the dialogue <Paragraphs name='text'>;"
        " no control asks about the whole of it"
    ),
    "chat/chat_eval": "no control asks about the dialogue <Chat name='chat'>",
    "chat/chat_red_team": (
        "4 controls (<Choices name='user_risk'>, …) label inside the dialogue <Chat name='chat'>"
    ),
    "chat/chatbot": "4 controls (<Rating name='accuracy'>, …) label inside the dialogue <Chat",
    "community-contributions/html-ner-tagging-person-and-organization": (
        "<HyperText name='text'>, not a <Text>"
    ),
    "generative-ai/human-feedback-collection": "<Pairwise name='comparison'> compares two texts",
    "generative-ai/llm-ranker": "<Ranker name='rank'> ranks a list",
    "generative-ai/visual-ranker": "<Ranker name='rank'> ranks a list",
    "ranking-and-scoring/pairwise-classification": "<Pairwise name='pw'> compares two texts",
    "ranking-and-scoring/text-to-image": "<Choices name='images'> takes its choices from the task",
    "structured-data-parsing/html-entity-recognition": "<HyperText name='text'>, not a <Text>",
    "structured-data-parsing/tabular-data": "<Table name='table'>, not a <Text>",
}


def _site_packages() -> Path | None:
    """The installed Label Studio's site-packages, or None (not installed: nothing is)."""
    cache = Path(install.os.environ.get("WORKBENCH_CACHE_DIR") or Path.home() / ".cache/workbench")
    venv = cache.expanduser() / f"label-studio-{install.LABEL_STUDIO_VERSION}"
    if not (venv / install.INSTALL_MARKER).exists():
        return None
    return next(iter(sorted(venv.glob("lib/python*/site-packages"))), None)


def _text_templates(*, refused: bool = True) -> list[object]:
    site = _site_packages()
    if site is None:
        reason = "Label Studio is not installed (test_the_gallery_is_read_from_the_install does)"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="not-installed")]
    return [
        pytest.param(t, id=t.key)
        for t in templates(site)
        if t.is_text and (refused or t.key not in REFUSED)
    ]


@pytest.mark.labelstudio
def test_the_gallery_is_read_from_the_install() -> None:
    venv = install.install()
    site = next(iter(venv.glob("lib/python*/site-packages")))
    found = templates(site)
    text = [t.key for t in found if t.is_text]
    # the README's figures: 23 of Label Studio 1.23.2's 35 text templates import, 12 are refused
    assert (len(found), len(text)) == (69, 35)
    assert set(REFUSED) <= set(text)


@pytest.mark.parametrize("template", _text_templates())
def test_a_text_template_imports_or_is_refused_saying_why(template: Template) -> None:
    if template.key in REFUSED:
        with pytest.raises(ConfigError) as info:
            import_config(template.config, schema_id="team", title="team", source="config.xml")
        message = info.value.message
        assert message.startswith("config.xml: nothing to import: ") and "\n" not in message
        assert REFUSED[template.key] in message
        return
    imported = import_config(template.config, schema_id="team", title="team", source="c.xml")
    # every control the schema does not hold is named, none dropped silently
    notes = "\n".join(imported.notes)
    for el in left_out(imported.schema, template.config):
        assert f"name={el.get('name')!r}" in notes, el.get("name")


@pytest.mark.parametrize("template", _text_templates(refused=False))
def test_an_export_of_a_text_template_pulls_reconciles_and_releases(
    template: Template, store: Store, store_url: str, tmp_path: Path
) -> None:
    schema = imported_schema(template, tmp_path)
    tasks = make_export(schema, template.config)
    (tmp_path / "export.json").write_text(json.dumps(tasks), encoding="utf-8")
    settings = load_settings(
        {"database_url": store_url, "dataset": "team", "schema_path": str(tmp_path / "team.yaml")},
        cwd=tmp_path,
        environ={},
    )
    report = pull_from_file(settings, store, tmp_path / "export.json")
    assert (report.annotations_new, report.quarantined, report.skipped) == (9, [], [])
    assert [s.annotations for s in status(store, "team")] == [9]
    assert problems(store, "team") == []
    commands.agreement(settings, store, n_boot=20)
    rec = reconcile(store, schema, "team")
    assert rec.recomputed == 3
    release = export_dataset(store, tmp_path / "exports", "team", schema)
    assert release.counts["annotations"] == 9
    rows = [json.loads(line) for line in (release.path / "segments.jsonl").open()]
    if schema.view.is_dialogue:  # the segment text is the dialogue, one line per utterance
        want = {render(schema.view, t["data"][schema.view.text_key]) for t in tasks}
        assert {row["text"] for row in rows} == want and all(": " in t for t in want)
    sent = {
        (a["id"], r.get("from_name"), r.get("id"))
        for t in tasks
        for a in t["annotations"]
        for r in a["result"]
        if r.get("type") != "relation"
    }
    # every result is in the release: a span, a region's answer, a segment answer or kept as is
    released = [a for row in rows for a in row["annotations"]]
    spans = sum(len(a["spans"]) for a in released)
    answers = sum(len(a["labels"]) for a in released)
    kept = sum(len(a.get("other", [])) for a in released)
    regions = sum(len(s["attributes"]) for a in released for s in a["spans"])
    assert spans + answers + kept + regions == len(sent)
    if leftover := left_out(schema, template.config):
        names = {r["from_name"] for a in released for r in a.get("other", [])}
        assert names == {el.get("name") for el in leftover}
