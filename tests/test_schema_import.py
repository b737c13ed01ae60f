"""`schema import`: a Label Studio config → schema YAML that round-trips, on the real server too.

Each fixture config (tests/fixtures/configs/, after Label Studio's templates) comes with a result
as Label Studio writes it under the *original* config; the imported schema must parse it with
no problems, and the XML generated from it must carry the same control names and values.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from workbench.annotation import Link, parse
from workbench.errors import ConfigError, LabelStudioError
from workbench.labelstudio.client import LabelStudioClient
from workbench.labelstudio.server import ServerInfo
from workbench.schema import label_config, load_schema, parse_schema, schema_from_dict
from workbench.schema.importer import import_config, schema_id_from

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "tests" / "fixtures" / "configs"


def span(rid: str, start: int, end: int, text: str, labels: list[str], *, name: str = "label",
         to: str = "text") -> dict[str, Any]:  # fmt: skip
    value = {"start": start, "end": end, "text": text[start:end], "labels": labels}
    return {"id": rid, "from_name": name, "to_name": to, "type": "labels", "value": value}


def answer(name: str, kind: str, value: Any, *, to: str = "text", region: dict[str, Any] | None
           = None) -> dict[str, Any]:  # fmt: skip
    key = "text" if kind == "textarea" else kind
    item: dict[str, Any] = {"from_name": name, "to_name": to, "type": kind,
                            "value": {key: value}, "origin": "manual"}  # fmt: skip
    if region is not None:  # a per-region answer repeats its region's id and offsets
        item["id"] = region["id"]
        keys = ("start", "end") if kind == "textarea" else ("start", "end", "text")
        item["value"].update({k: region["value"][k] for k in keys})  # textarea: text is typed
    else:
        item["id"] = f"{name}-1"
    return item


NER_TEXT = "Steve Jobs founded Apple in 1976 in Los Altos."
_jobs = span("p1", 0, 10, NER_TEXT, ["Person"])
_apple = span("o1", 19, 24, NER_TEXT, ["Organization"])
_year = span("d1", 28, 32, NER_TEXT, ["Datetime"])
SENT_TEXT = "The new tariffs hit chip makers hard, and ministers blame each other."
REVIEW_TEXT = "Cheap, but the case cracked after a week. Delivery took ten days."
_cheap = span("r1", 0, 5, REVIEW_TEXT, ["PRICE", "QUALITY"], name="aspect", to="review")
CAPTION = "Serena Williams wearing a Nike cap."

#: fixture → (task data, a result Label Studio writes under the original config, what the
#: parse must find: region count, link count, task-level answers)
CASES: dict[str, tuple[dict[str, Any], list[dict[str, Any]], tuple[int, int, dict[str, Any]]]] = {
    "ner_relations": (
        {"text": NER_TEXT},
        [
            _jobs,
            _apple,
            _year,
            answer("person_role", "choices", ["Founder"], region=_jobs),
            answer("confidence", "choices", ["unsure"], region=_apple),
            answer("region_notes", "textarea", ["four digits only"], region=_year),
            {
                "from_id": "o1",
                "to_id": "p1",
                "type": "relation",
                "direction": "right",
                "labels": ["org:founded_by"],
            },
        ],
        (3, 1, {}),
    ),
    "sentiment_multi": (
        {"text": SENT_TEXT},
        [
            answer("sentiment", "choices", ["Negative"]),
            answer("topics", "choices", ["Business", "scitech"]),
            answer("negative_reason", "choices", ["Bad news"]),
        ],
        (
            0,
            0,
            {
                "sentiment": "Negative",
                "topics": ["Business", "scitech"],
                "negative_reason": "Bad news",
            },
        ),
    ),
    "taxonomy": (
        {"text": SENT_TEXT},
        [
            answer("topic", "taxonomy", [["Politics", "Foreign policy", "Sanctions"], ["Economy"]]),
            answer("genre", "taxonomy", [["Opinion", "Column"]]),
        ],
        (
            0,
            0,
            {"topic": ["Economy", "Politics/Foreign policy/Sanctions"], "genre": "Opinion/Column"},
        ),
    ),
    "review": (
        {"review": REVIEW_TEXT, "title": "Phone case"},
        [
            _cheap,
            answer("rating", "rating", 3, to="review"),
            answer("summary", "textarea", ["Cheap case that broke fast."], to="review"),
            answer("products-mentioned", "number", 1, to="review"),
            answer("purchase_date", "datetime", "2024-05-01", to="review"),
        ],
        (
            1,
            0,
            {
                "rating": 3,
                "summary": ["Cheap case that broke fast."],
                "products-mentioned": 1,
                "purchase_date": "2024-05-01",
            },
        ),
    ),
    "image_beside_text": (
        {"caption": CAPTION, "image": "https://example.com/a.jpg", "source": "agency"},
        [
            span("c1", 0, 15, CAPTION, ["Person"], name="entities", to="caption"),
            answer("caption_matches", "choices", ["yes"], to="caption"),
            answer("image_quality", "choices", ["good"], to="image"),
            {
                "id": "b1",
                "from_name": "box",
                "to_name": "image",
                "type": "rectanglelabels",
                "original_width": 640,
                "original_height": 480,
                "value": {
                    "x": 10,
                    "y": 10,
                    "width": 20,
                    "height": 30,
                    "rotation": 0,
                    "rectanglelabels": ["Logo"],
                },
            },
        ],
        (1, 0, {"caption_matches": "yes"}),
    ),
}

#: what each import must name as not kept (a fragment per line, in order)
EXPECTED_NOTES = {
    "ner_relations": ["<Choices name='confidence'>: asked for regions labelled Organization,"],
    "sentiment_multi": ["<Choices name='negative_reason'>: shown only when visibleWhen="],
    "taxonomy": [],
    "review": ["colour 'rgba(0, 128, 0, 0.5)' of label 'Delivery'"],
    "image_beside_text": [
        "<Image name='image'>: only <Text> is labelled",
        "<RectangleLabels name='box'>: not a text control",
        "<Choices name='image_quality'>: points at 'image'",
    ],
}


def imported(name: str) -> Any:
    path = CONFIGS / f"{name}.xml"
    return import_config(
        path.read_text(encoding="utf-8"), schema_id=schema_id_from(name), title=name,
        source=str(path),
    )  # fmt: skip


def controls(xml: str, text_name: str) -> dict[str, tuple[str, frozenset[str]]]:
    """Control name → (tag, the values results may hold), for controls on the text."""
    out: dict[str, tuple[str, frozenset[str]]] = {}

    def paths(el: ET.Element, prefix: str) -> list[str]:
        found = []
        for child in el.findall("Choice"):
            path = prefix + (child.get("alias") or child.get("value") or "")
            found += [path, *paths(child, path + "/")]
        return found

    for el in ET.fromstring(xml).iter():
        if el.get("toName") != text_name:
            continue
        values = [c.get("alias") or c.get("value") or "" for c in el.findall("Label")]
        values += paths(el, "")
        out[str(el.get("name"))] = (el.tag, frozenset(values))
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_import_keeps_names_values_and_says_what_is_left_out(name: str) -> None:
    result = imported(name)
    schema = result.schema
    assert len(result.notes) == len(EXPECTED_NOTES[name]), result.notes
    for note, fragment in zip(result.notes, EXPECTED_NOTES[name], strict=True):
        assert fragment in note and "\n" not in note
    assert schema.view.layout == "plain" and schema.view.names == "free"
    assert schema.guidelines is None
    original = (CONFIGS / f"{name}.xml").read_text(encoding="utf-8")
    before = controls(original, schema.view.text)
    after = controls(label_config(schema), schema.view.text)
    left_out = {"image_beside_text": set(), "review": set()}.get(name, set())
    assert set(after) == set(before) - left_out
    for control, (tag, values) in after.items():
        assert before[control] == (tag, values), control
    # the YAML written is the schema returned, and it survives the store's JSON
    assert parse_schema(result.yaml) == schema
    assert schema_from_dict(json.loads(json.dumps(schema.to_dict()))) == schema


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_result_of_the_original_config_parses_without_problems(name: str) -> None:
    schema = imported(name).schema
    data, result, (regions, links, answers) = CASES[name]
    parsed = parse(schema, data[schema.view.text_key], result)
    assert parsed.problems == ()
    assert len(parsed.regions) == regions and len(parsed.links) == links
    assert dict(parsed.answers) == answers
    if name == "ner_relations":
        by_id = {r.id: r for r in parsed.regions}
        assert by_id["p1"].answers == {"person_role": "Founder"}
        assert by_id["o1"].answers == {"confidence": "unsure"}
        assert by_id["d1"].answers == {"region_notes": ["four digits only"]}
    if name == "review":
        assert parsed.regions[0].labels == ("PRICE", "QUALITY")
    if name == "image_beside_text":  # the image's results are kept as they are, with warnings
        assert len(parsed.other) == 2 and len(parsed.warnings) == 2


def test_a_relation_of_an_imported_relations_tag_is_kept_as_drawn() -> None:
    schema = imported("ner_relations").schema
    data, result, _ = CASES["ner_relations"]
    parsed = parse(schema, data["text"], result)
    assert parsed.warnings == () and parsed.repairs == ()
    assert parsed.links == (Link("org:founded_by", "o1", "p1"),)
    left = [{**result[-1], "from_id": "p1", "to_id": "o1", "direction": "left"}]
    turned = parse(schema, data["text"], [*result[:-1], *left])
    assert turned.links == parsed.links and len(turned.repairs) == 1


def test_hotkeys_required_only_when_every_label_and_choice_has_one() -> None:
    assert imported("sentiment_multi").schema.view.hotkeys == "required"
    assert imported("ner_relations").schema.view.hotkeys == "optional"
    xml = """<View><Text name="t" value="$t"/><Labels name="l" toName="t">
      <Label value="A" hotkey="U"/><Label value="B" hotkey="b"/><Label value="C" hotkey="B"/>
      <Label value="D" hotkey="ctrl+alt+F5"/></Labels></View>"""
    result = import_config(xml, schema_id="h", title="h")
    keys = {label.name: label.hotkey for label in result.schema.labels}
    assert keys == {"A": "", "B": "b", "C": "", "D": ""}
    assert result.schema.view.hotkeys == "optional"
    assert [n.split(":")[0] for n in result.notes] == ["hotkey 'U' of label 'A'",
        "hotkey 'B' of label 'C'", "hotkey 'ctrl+alt+F5' of label 'D'"]  # fmt: skip
    assert "reserved by Label Studio (Unselect Region)" in result.notes[0]


def test_several_labels_controls_and_a_control_named_label() -> None:
    xml = """<View><Text name="doc" value="$body"/>
      <Labels name="ents" toName="doc"><Label value="PER"/><Label value="ORG"/></Labels>
      <Labels name="events" toName="doc" choice="multiple"><Label value="Meeting"/></Labels>
      <Choices name="label" toName="doc"><Choice value="relevant"/><Choice value="noise"/>
      </Choices>
      <View visibleWhen="region-selected" whenTagName="events">
        <Rating name="importance" toName="doc" perRegion="true" maxRating="3"/></View>
    </View>"""
    result = import_config(xml, schema_id="multi", title="Multi")
    schema = result.schema
    assert schema.span_controls == {"ents": ("PER", "ORG"), "events": ("Meeting",)}
    assert schema.view.multi_label and schema.view.value == "$body"
    assert schema.label("Meeting").attribute("importance").max_value == 3
    assert schema.controls["label"].values == ("relevant", "noise")
    assert any("take several labels per region, some one" in n for n in result.notes)
    xml_out = label_config(schema)
    assert controls(xml_out, "doc")["events"] == ("Labels", frozenset({"Meeting"}))


def test_a_question_per_region_for_several_labels_becomes_any_region_not_required() -> None:
    schema = imported("ner_relations").schema
    confidence = next(a for a in schema.regions if a.name == "confidence")
    assert confidence.any_region and not confidence.required
    assert schema.label("Person").attribute("person_role").required  # one label: kept
    # a Datetime region without a confidence answer is still valid
    _data, result, _ = CASES["ner_relations"]
    assert parse(schema, NER_TEXT, [_year]).problems == ()
    assert "person_role" in " ".join(parse(schema, NER_TEXT, [_jobs]).problems)
    del result


@pytest.mark.parametrize(
    ("xml", "why"),
    [  # each shows a <Text> (instructions, a prompt), so it used to import as a schema of nothing
        (
            "<View><Text name='how' value='$how'/><Chat name='chat' value='$chat'/>"
            "<Choices name='ok' toName='chat' perRegion='true'><Choice value='y'/></Choices>"
            "<TextArea name='note' toName='chat' perRegion='true'/></View>",
            "2 controls (<Choices name='ok'>, …) label inside the dialogue <Chat name='chat'>;"
            " no control asks about the whole of it",
        ),
        (
            "<View><Paragraphs name='d' value='$d'/><Text name='r' value='$r'/>"
            "<ParagraphLabels name='pick' toName='d'><Label value='One'/></ParagraphLabels>"
            "</View>",
            "<ParagraphLabels name='pick'> labels inside the dialogue <Paragraphs name='d'>;"
            " no control asks about the whole of it",
        ),
        (
            "<View><Text name='h' value='$h'/><HyperText name='d' value='$d'/>"
            "<Choices name='pick' toName='d'><Choice value='One'/></Choices></View>",
            "<Choices name='pick'> labels <HyperText name='d'>, not a <Text>",
        ),
        (
            "<View><Pairwise name='pw' toName='a,b'/><Text name='a' value='$a'/>"
            "<Text name='b' value='$b'/></View>",
            "<Pairwise name='pw'> compares two texts, a question workbench does not have",
        ),
        (
            "<View><Text name='p' value='$p'/><List name='l' value='$items'/>"
            "<Ranker name='rank' toName='l'/></View>",
            "<Ranker name='rank'> ranks a list, a question workbench does not have",
        ),
        (
            "<View><Text name='p' value='$p'/>"
            "<Choices name='imgs' toName='p' value='$images' choice='multiple'/></View>",
            "<Choices name='imgs'> takes its choices from the task's data",
        ),
    ],
)
def test_a_config_with_nothing_on_a_text_is_refused_saying_what_it_labels(
    xml: str, why: str
) -> None:
    with pytest.raises(ConfigError) as info:
        import_config(xml, schema_id="team", title="team", source="team.xml")
    assert info.value.message == (
        f"team.xml: nothing to import: {why} (a schema labels one <Text> or dialogue per task)"
    )


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("<View><Text name='t' value='$t'>", "not well-formed XML"),
        ("<Config><Text name='t' value='$t'/></Config>", "must start with <View>"),
        ("<View><Image name='i' value='$i'/></View>", "no control labels a <Text>"),
    ],
)
def test_bad_configs_are_one_line_errors(xml: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        import_config(xml, schema_id="bad", title="bad", source="bad.xml")
    assert info.value.message.startswith("bad.xml: ") and message in info.value.message
    assert "\n" not in info.value.message
    with pytest.raises(ConfigError, match="schema id 'Team X' must be lower-case"):
        import_config(xml, schema_id="Team X", title="bad", source="bad.xml")


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Any:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "LABEL_"))}
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=cwd,
        env={**full, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_command_writes_a_schema_that_validates(tmp_path: Path) -> None:
    config = CONFIGS / "image_beside_text.xml"
    out = run("schema", "import", str(config), "-o", "mine.yaml", "--id", "mine", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("warning: not kept: ") for line in lines)
    assert "mine.yaml: mine version" in out.stdout
    assert load_schema(tmp_path / "mine.yaml").id == "mine"
    again = run("schema", "import", str(config), "-o", "mine.yaml", cwd=tmp_path)
    assert again.returncode == 4 and "exists (use --force" in again.stderr
    valid = run("schema", "validate", "mine.yaml", cwd=tmp_path)
    assert valid.returncode == 0, valid.stderr
    to_stdout = run("schema", "import", str(CONFIGS / "taxonomy.xml"), cwd=tmp_path)
    assert to_stdout.returncode == 0 and parse_schema(to_stdout.stdout).id == "taxonomy"
    neither = run("schema", "import", cwd=tmp_path)
    assert neither.returncode == 2


# -- on the real Label Studio -----------------------------------------------------------------


@pytest.mark.labelstudio
@pytest.mark.parametrize("name", sorted(CASES))
def test_label_studio_accepts_the_imported_config_over_existing_annotations(
    ls_client: LabelStudioClient, name: str
) -> None:
    """A project made with the original config gets an annotation; its config is then replaced
    by the one generated from the imported schema. Label Studio checks a new config against the
    project's annotations, so accepting it means they stay valid; read back, they parse under
    the imported schema with no problems."""
    original = (CONFIGS / f"{name}.xml").read_text(encoding="utf-8")
    schema = imported(name).schema
    data, result, _ = CASES[name]
    project = ls_client.create_project(f"import {name}", original)
    try:
        (task_id,) = ls_client.import_tasks(project.id, [{"data": data}])
        me = int(ls_client.check()["id"])
        ls_client.create_annotation(task_id, result, completed_by=me)
        kept = [r for r in result if r.get("to_name", schema.view.text) == schema.view.text]
        if kept != result:
            # Label Studio refuses a config that drops controls annotations use: the
            # left-out ones (named by the import), and no others
            with pytest.raises(LabelStudioError) as info:
                ls_client.update_project(project.id, label_config=label_config(schema))
            refused = set(re.findall(r"from_name=([\w-]+)", info.value.message))
            assert refused == {r["from_name"] for r in result if r not in kept}
            (first,) = ls_client.list_annotations(task_id)
            ls_client.update_annotation(first["id"], result=kept)
            result = kept
        updated = ls_client.update_project(project.id, label_config=label_config(schema))
        assert updated.label_config.strip() == label_config(schema).strip()
        (stored,) = ls_client.list_annotations(task_id)
        parsed = parse(schema, data[schema.view.text_key], stored["result"])
        assert parsed.problems == ()
        fresh = ls_client.create_project(f"import {name} (fresh)", label_config(schema))
        ls_client.delete_project(fresh.id)
    finally:
        ls_client.delete_project(project.id)


@pytest.mark.labelstudio
def test_import_from_a_live_project(
    ls_client: LabelStudioClient, label_studio: ServerInfo, tmp_path: Path
) -> None:
    original = (CONFIGS / "review.xml").read_text(encoding="utf-8")
    project = ls_client.create_project("Phone reviews 2024", original)
    try:
        env = {"LABEL_STUDIO_URL": label_studio.url, "LABEL_STUDIO_API_KEY": label_studio.token}
        out = run("schema", "import", "--project", str(project.id), "-o", "r.yaml", cwd=tmp_path,
                  env=env)  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert label_studio.token not in out.stdout + out.stderr
        schema = load_schema(tmp_path / "r.yaml")
        assert (schema.id, schema.title) == ("phone-reviews-2024", "Phone reviews 2024")
        same = {"id": schema.id, "title": schema.title}
        assert {**schema.to_dict(), **same} == {**imported("review").schema.to_dict(), **same}
        missing = run("schema", "import", "--project", "999999", cwd=tmp_path, env=env)
        assert missing.returncode == 6 and "999999" in missing.stderr
    finally:
        ls_client.delete_project(project.id)


@pytest.mark.labelstudio
def test_bring_your_own_project_from_the_command_line(
    ls_client: LabelStudioClient, label_studio: ServerInfo, tmp_path: Path
) -> None:
    """The README's steps, as a user types them, on a team's live project."""
    original = (CONFIGS / "sentiment_multi.xml").read_text(encoding="utf-8")
    project = ls_client.create_project("Team sentiment", original, maximum_annotations=2)
    try:
        texts = [SENT_TEXT, "Markets rallied after the central bank held rates."]
        ids = ls_client.import_tasks(project.id, [{"data": {"text": t}} for t in texts])
        users = [ls_client.ensure_user(f"byo{i}-{project.id}@example.com") for i in (1, 2)]
        votes = [("Negative", "Negative"), ("Positive", "Neutral")]
        for task_id, pair in zip(ids, votes, strict=True):
            for user, sentiment in zip(users, pair, strict=True):
                result = [answer("sentiment", "choices", [sentiment]),
                          answer("topics", "choices", ["Business", "scitech"])]  # fmt: skip
                if sentiment == "Negative":
                    result.append(answer("negative_reason", "choices", ["Bad news"]))
                ls_client.create_annotation(task_id, result, completed_by=user.id)
        env = {"LABEL_STUDIO_URL": label_studio.url, "LABEL_STUDIO_API_KEY": label_studio.token,
               "WORKBENCH_SCHEMA": "team.yaml", "WORKBENCH_DATASET": "team"}  # fmt: skip
        steps = [
            ("schema", "import", "--project", str(project.id), "-o", "team.yaml"),
            ("pull", "--project", str(project.id)),
            ("status",),
            ("agreement",),
            ("reconcile",),
            ("export",),
            ("pull",),  # later pulls: incremental, nothing new
        ]
        outs = []
        for step in steps:
            out = run(*step, cwd=tmp_path, env=env)
            assert out.returncode == 0, (step, out.stderr)
            outs.append(out.stdout)
        assert "annotations: 4 new" in outs[1]
        # sentiment + reason + the topics of two segments (several choices, each by vote); a tie
        assert "labels: 4 decided, 1 undecided" in outs[4]
        assert "0 new, 0 revised" in outs[6]
        (release,) = (tmp_path / "exports" / "team").iterdir()
        rows = [json.loads(line) for line in (release / "segments.jsonl").open()]
        assert {tuple(a["labels"]["topics"]) for r in rows for a in r["annotations"]} == {
            ("Business", "scitech")
        }
    finally:
        ls_client.delete_project(project.id)


def test_what_cannot_be_held_is_named_one_line_each() -> None:
    xml = """<View><Text name="t" value="$t"/>
      <Labels name="l" toName="t"><Label value="A, B"/><Label value="Cat"/><Label value="cat"/>
        <Label value="Dog" background="hsl(0, 50%, 50%)"/></Labels>
      <Choices name="dyn" toName="t" value="$options"/>
      <Taxonomy name="remote" toName="t" apiUrl="https://example.com/tax.json"/>
      <Number name="n" toName="t" min="zero" max="9"/>
      <Pairwise name="pw" toName="t"/>
      <Ranker name="rk" toName="t"/>
      <Paragraphs name="dialogue" value="$dialogue"/>
      <Unknown><Choices name="inside" toName="t"><Choice value="x"/></Choices></Unknown>
    </View>"""
    result = import_config(xml, schema_id="n", title="n")
    expected = [
        "<Pairwise name='pw'>: not a text control",
        "<Ranker name='rk'>: not a text control",
        "<Unknown>: not a tag workbench knows",
        "<Paragraphs name='dialogue'>: not the labelled text",
        "label 'A, B' has a ','",
        "label 'cat' is listed twice",
        "colour 'hsl(0, 50%, 50%)' of label 'Dog'",
        "<Choices name='dyn'>: choices loaded from task data",
        "<Taxonomy name='remote'>: choices loaded from task data or a URL",
        "<Number name='n'>: min='zero' is not a number",
    ]
    assert len(result.notes) == len(expected), result.notes
    for note, fragment in zip(result.notes, expected, strict=True):
        assert fragment in note
    schema = result.schema
    assert schema.label_names == ("Cat", "Dog")
    assert schema.controls["n"].max_value == 9 and schema.controls["n"].min_value is None
    assert schema.controls["inside"].values == ("x",)  # a control inside an unknown tag


def test_a_required_question_for_every_region_is_imported_not_required() -> None:
    # Shaped like AstraZeneca/KAZU's linking project: a required free-text answer per region,
    # for any label; its annotations were made through the API, without those answers.
    xml = """<View>
  <Labels name="label" toName="text"><Label value="disease"/><Label value="drug"/></Labels>
  <TextArea name="linking" toName="text" editable="true" perRegion="true" required="true"
            maxSubmissions="1" rows="15" placeholder="KB Info" displayMode="region-list"/>
  <Text name="text" value="$text"/>
</View>"""
    result = import_config(xml, schema_id="kazu", title="kazu")
    linking = next(a for a in result.schema.regions if a.name == "linking")
    assert linking.any_region and not linking.required
    assert any("linking" in n and "no longer required" in n for n in result.notes)
    text = "Personal experience in the diagnosis and therapy of pulmonary infarct"
    region = {"id": "ZDm3mvpKVn", "from_name": "label", "to_name": "text", "type": "labels",
              "value": {"start": 52, "end": 69, "text": "pulmonary infarct",
                        "labels": ["disease"]}}  # fmt: skip
    assert parse(result.schema, text, [region]).problems == ()
