"""A dialogue project (``<Paragraphs>``, ``<Chat>``) whose questions are about the whole task:
imported with the dialogue as the labelled text, rendered one line per utterance, controls that
label inside the dialogue left out with a note and their results kept; pulled, the segment text
is the rendered dialogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from workbench.config import load_settings
from workbench.errors import ConfigError
from workbench.pull_file import pull_from_file
from workbench.schema import View, label_config, load_schema, parse_schema
from workbench.schema.dialogue import render
from workbench.schema.importer import import_config
from workbench.store import Annotation, Segment, Store

PARAGRAPHS = """<View>
  <ParagraphLabels name="slot" toName="dialogue">
    <Label value="Person"/><Label value="Place"/>
  </ParagraphLabels>
  <Paragraphs name="dialogue" value="$turns" layout="dialogue" nameKey="who" textKey="said"/>
  <Header value="What does the caller want?"/>
  <Choices name="intent" toName="dialogue">
    <Choice value="Greeting"/><Choice value="Request"/>
  </Choices>
  <Choices name="turn_act" toName="dialogue" perRegion="true">
    <Choice value="Question"/><Choice value="Answer"/>
  </Choices>
</View>"""

CHAT = """<View>
  <Text name="instructions" value="$text"/>
  <Chat name="chat" value="$chat" editable="true"/>
  <Rating name="overall" toName="chat" maxRating="5"/>
  <View visibleWhen="region-selected" whenRole="assistant">
    <Choices name="accurate" toName="chat" perRegion="true">
      <Choice value="Yes"/><Choice value="No"/>
    </Choices>
  </View>
</View>"""

TURNS = [
    {"who": "Caller", "said": "Hello, is this the library?"},
    {"who": "Agent", "said": "It is."},
    {"said": "(silence)"},
    {"who": "Caller", "said": ""},
]


def test_paragraphs_render_one_line_per_utterance_with_the_configs_keys() -> None:
    view = View(text="dialogue", object_tag="Paragraphs", speaker_key="who", utterance_key="said")
    assert render(view, TURNS) == (
        "Caller: Hello, is this the library?\nAgent: It is.\n(silence)\nCaller:"
    )
    assert render(view, "https://example.org/dialogue.json") is None  # a URL: not read
    assert render(view, [["odd", 1]]) == '["odd", 1]'  # not an object: written as JSON, not lost


def test_a_chat_renders_role_and_content_as_label_studios_transcript() -> None:
    view = View(text="chat", object_tag="Chat", speaker_key="role", utterance_key="content")
    messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]
    assert render(view, messages) == "user: Hi\nassistant: Hello!"
    assert render(view, []) == ""


def test_paragraphs_import_their_whole_dialogue_questions_and_note_the_rest() -> None:
    imported = import_config(PARAGRAPHS, schema_id="calls", title="Calls", source="c.xml")
    view = imported.schema.view
    assert (view.text, view.value, view.object_tag) == ("dialogue", "$turns", "Paragraphs")
    assert (view.speaker_key, view.utterance_key) == ("who", "said")
    assert [a.name for a in imported.schema.segment] == ["intent"]
    assert imported.schema.segment[0].description == "What does the caller want?"
    assert imported.schema.labels == () and imported.schema.regions == ()
    assert imported.notes == (
        "<ParagraphLabels name='slot'>: labels inside the dialogue <Paragraphs name='dialogue'>;"
        " left out (their results are kept as they are)",
        "<Choices name='turn_act'>: labels inside the dialogue <Paragraphs name='dialogue'>;"
        " left out (their results are kept as they are)",
    )
    # the schema's own view shows the dialogue as Label Studio did
    xml = label_config(imported.schema)
    assert '<Paragraphs name="dialogue" value="$turns" layout="dialogue" nameKey="who"' in xml
    assert "<Text" not in xml


def test_a_chat_imports_its_overall_question_and_notes_the_messages_annotators_write() -> None:
    imported = import_config(CHAT, schema_id="bot", title="Bot", source="c.xml")
    assert imported.schema.view.object_tag == "Chat"
    assert [(a.name, a.kind) for a in imported.schema.segment] == [("overall", "rating")]
    assert imported.notes[0].startswith("<Chat name='chat'>: messages annotators add")
    assert imported.notes[1].startswith("<Choices name='accurate'>: labels inside the dialogue")


def test_a_dialogue_with_only_controls_inside_it_is_refused_in_one_line() -> None:
    config = PARAGRAPHS.replace('<Choices name="intent"', '<Choices name="intent" perRegion="true"')
    with pytest.raises(ConfigError) as info:
        import_config(config, schema_id="calls", title="Calls", source="c.xml")
    assert info.value.message == (
        "c.xml: nothing to import: 3 controls (<ParagraphLabels name='slot'>, …) label inside"
        " the dialogue <Paragraphs name='dialogue'>; no control asks about the whole of it"
        " (a schema labels one <Text> or dialogue per task)"
    )


def test_a_dialogue_view_refuses_spans_its_offsets_could_not_point_into() -> None:
    text = (
        "id: d\ntitle: d\nview: {text: chat, value: $chat, object_tag: Chat, names: free,"
        " layout: plain}\nlabels: [{name: Person, hotkey: p}]\n"
    )
    with pytest.raises(ConfigError, match="asks about the whole dialogue only"):
        parse_schema(text, source="d.yaml")
    schema = parse_schema(text.replace("[{name: Person, hotkey: p}]", "[]"), source="d.yaml")
    assert (schema.view.speaker_key, schema.view.utterance_key) == ("role", "content")


def _annotation(i: int, who: int, intent: str) -> dict[str, Any]:
    result = [
        {"id": f"c{i}", "from_name": "intent", "to_name": "dialogue", "type": "choices",
         "value": {"choices": [intent]}},
        {"id": f"p{i}", "from_name": "slot", "to_name": "dialogue", "type": "paragraphlabels",
         "value": {"start": "0", "end": "0", "startOffset": 0, "endOffset": 6,
                   "text": "Hello,", "paragraphlabels": ["Person"]}},
    ]  # fmt: skip
    return {"id": i, "completed_by": who, "result": result, "was_cancelled": False,
            "ground_truth": False, "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z"}  # fmt: skip


def test_a_pulled_dialogue_is_stored_as_its_rendered_text(
    store: Store, store_url: str, tmp_path: Path
) -> None:
    imported = import_config(PARAGRAPHS, schema_id="calls", title="Calls", source="c.xml")
    (tmp_path / "calls.yaml").write_text(imported.yaml, encoding="utf-8")
    tasks = [
        {"id": 1, "data": {"turns": TURNS, "text": "not this"},
         "annotations": [_annotation(1, 1, "Greeting"), _annotation(2, 2, "Request")]},
        {"id": 2, "data": {"turns": "https://example.org/t.json"}, "annotations": []},
    ]  # fmt: skip
    (tmp_path / "export.json").write_text(json.dumps(tasks), encoding="utf-8")
    settings = load_settings(
        {
            "database_url": store_url,
            "dataset": "calls",
            "schema_path": str(tmp_path / "calls.yaml"),
        },
        cwd=tmp_path,
        environ={},
    )
    report = pull_from_file(settings, store, tmp_path / "export.json")
    assert (report.annotations_new, report.quarantined) == (2, [])
    assert report.skipped == ["task 2: no 'turns' list of messages in its data, cannot store it"]
    schema = load_schema(tmp_path / "calls.yaml")
    with store.session() as session:
        texts = session.scalars(sa.select(Segment.text)).all()
        rows = session.scalars(sa.select(Annotation)).all()
    assert texts == [render(schema.view, TURNS)]
    entries = [json.loads(r.result_entry or "{}") for r in rows]
    assert sorted(e["labels"]["intent"] for e in entries) == ["Greeting", "Request"]
    assert [e["other"][0]["type"] for e in entries] == ["paragraphlabels"] * 2  # kept as it was
    assert [r.status for r in rows] == ["valid", "valid"]
