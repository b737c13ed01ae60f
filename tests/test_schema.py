"""Schema files → validated Schema → Label Studio XML; result validation."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from workbench.annotation import Link, parse
from workbench.annotation import validate as validate_result
from workbench.errors import ConfigError
from workbench.schema import (
    CONTEXT_NAME,
    LABELS_NAME,
    TASK_FIELDS,
    TEXT_NAME,
    Schema,
    label_config,
    load_schema,
    parse_schema,
)

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "schemas" / "news-v1.yaml"
SEED_004 = ROOT / "seeds" / "004_6126446ed3470000.txt"


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema(SCHEMA_PATH)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    data = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def write_schema(tmp_path: Path, data: dict[str, Any], name: str = "x.yaml") -> Path:
    """Write a schema (and its guideline file) into tmp_path."""
    (tmp_path / "news-v1.md").write_text("# guidelines\n", encoding="utf-8")
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def config_error(tmp_path: Path, data: dict[str, Any]) -> str:
    path = write_schema(tmp_path, data)
    with pytest.raises(ConfigError) as info:
        load_schema(path)
    message = info.value.message
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message


# --------------------------------------------------------------------------------------------
# Loading


def test_schema_loads(schema: Schema) -> None:
    assert schema.id == "news-v1"
    assert schema.label_names == ("Source", "Cue", "Content", "Claim", "Target")
    assert schema.relation_names == ("attributed_to", "cue_of")
    assert schema.relation("attributed_to").allows("Content", "Source")
    assert not schema.relation("attributed_to").allows("Source", "Content")
    assert schema.relation("cue_of").allows("Cue", "Content")
    content = schema.label("Content").attribute("quote_type")
    assert content.values == ("direct", "indirect", "mixed")
    assert content.required
    assert content.control_name == "content_quote_type"
    assert schema.label("Source").attribute("source_type").values == (
        "official",
        "analyst",
        "media",
        "unnamed",
        "author",
        "other",
    )
    claim = schema.label("Claim")
    assert [a.name for a in claim.attributes] == ["claim_type", "checkworthy"]
    assert claim.attribute("checkworthy").values == ("yes", "no")  # not YAML booleans
    (sentiment,) = schema.segment
    assert sentiment.control_name == "sentiment"
    assert sentiment.required
    assert sentiment.ordinal_values == ("negative", "neutral", "positive")
    assert sentiment.rank("mixed") is None
    assert sentiment.rank("positive") == 2
    target = schema.label("Target").attribute("sentiment")
    assert target.ordinal_values == ("negative", "neutral", "positive")
    assert schema.label("Claim").attribute("claim_type").ordinal_values == ()
    assert schema.guidelines_path == SCHEMA_PATH.parent / "news-v1.md"
    assert schema.guidelines_path.is_file()
    assert re.fullmatch(r"[0-9a-f]{12}", schema.guidelines_version or "")


def test_schema_is_frozen(schema: Schema) -> None:
    with pytest.raises(AttributeError):
        schema.id = "other"  # type: ignore[misc]


def test_version_is_stable(schema: Schema) -> None:
    assert re.fullmatch(r"[0-9a-f]{12}", schema.version)
    assert load_schema(SCHEMA_PATH).version == schema.version
    # Cosmetic edits: comments, blank lines, extra indentation, key order, explicit defaults.
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    cosmetic = "# a new comment\n\n" + text.replace("\nlabels:\n", "\n\n# labels follow\nlabels:\n")
    assert parse_schema(cosmetic, source=SCHEMA_PATH).version == schema.version


def test_version_ignores_key_order_and_defaults(tmp_path: Path, raw: dict[str, Any]) -> None:
    base = load_schema(write_schema(tmp_path, raw, "a.yaml")).version
    reordered = {key: raw[key] for key in reversed(list(raw))}
    reordered["labels"] = [dict(reversed(list(label.items()))) for label in raw["labels"]]
    reordered["labels"][1]["attributes"] = []  # Cue: explicit empty list == default
    assert load_schema(write_schema(tmp_path, reordered, "b.yaml")).version == base


def test_version_changes_when_a_label_changes(tmp_path: Path, raw: dict[str, Any]) -> None:
    base = load_schema(write_schema(tmp_path, raw, "a.yaml")).version
    changed = copy.deepcopy(raw)
    changed["labels"][0]["color"] = "#000000"
    assert load_schema(write_schema(tmp_path, changed, "b.yaml")).version != base
    renamed = copy.deepcopy(raw)
    renamed["labels"][1]["name"] = "Cues"
    renamed["relations"][1]["from"] = "Cues"
    assert load_schema(write_schema(tmp_path, renamed, "c.yaml")).version != base


def test_hotkeys_are_unique(schema: Schema) -> None:
    keys = [label.hotkey for label in schema.labels]
    keys += [c.hotkey for attr in schema.attributes for c in attr.choices]
    assert len(keys) == len(set(keys)) == len(schema.hotkeys())
    assert "u" not in keys  # Label Studio: unselect region


# --------------------------------------------------------------------------------------------
# Label Studio XML


def test_label_config_is_well_formed(schema: Schema) -> None:
    xml = label_config(schema)
    root = ET.fromstring(xml)
    assert root.tag == "View"
    assert xml == label_config(schema)  # deterministic

    names = [el.get("name") for el in root.iter() if el.get("name")]
    assert len(names) == len(set(names))
    assert set(names) == {TEXT_NAME, CONTEXT_NAME, LABELS_NAME, *schema.controls}
    for el in root.iter():
        if el.get("toName"):
            assert el.get("toName") == TEXT_NAME

    text = next(el for el in root.iter("Text") if el.get("name") == TEXT_NAME)
    assert text.get("value") == "$text"
    assert text.get("granularity") == "word"
    context = next(el for el in root.iter("Text") if el.get("name") == CONTEXT_NAME)
    assert context.get("value") == "$context"
    assert context.get("selectionEnabled") == "false"
    assert any(h.get("value") == "$title" for h in root.iter("Header"))
    values = {el.get("value") for el in root.iter() if (el.get("value") or "").startswith("$")}
    assert values == {f"${f}" for f in TASK_FIELDS}  # exactly the keys push sends


def test_label_config_has_each_label_and_hotkey_once(schema: Schema) -> None:
    root = ET.fromstring(label_config(schema))
    labels = root.find("Labels")
    assert labels is not None
    assert labels.get("name") == LABELS_NAME
    assert [(el.get("value"), el.get("hotkey"), el.get("background")) for el in labels] == [
        (label.name, label.hotkey, label.color) for label in schema.labels
    ]
    hotkeys = [el.get("hotkey") for el in root.iter() if el.get("hotkey")]
    assert len(hotkeys) == len(set(hotkeys)) == len(schema.hotkeys())
    assert set(hotkeys) == set(schema.hotkeys())
    relations = root.find("Relations")
    assert relations is not None
    assert [el.get("value") for el in relations] == ["attributed_to", "cue_of"]


def test_label_config_per_region_and_segment_choices(schema: Schema) -> None:
    root = ET.fromstring(label_config(schema))
    choices = {el.get("name"): el for el in root.iter("Choices")}
    quote = choices["content_quote_type"]
    assert quote.get("perRegion") == "true"
    assert quote.get("whenLabelValue") == "Content"
    assert quote.get("visibleWhen") == "region-selected"
    assert quote.get("required") == "true"
    assert [c.get("value") for c in quote] == ["direct", "indirect", "mixed"]
    sentiment = choices["sentiment"]
    assert sentiment.get("perRegion") is None
    assert sentiment.get("choice") == "single-radio"
    assert sentiment.get("required") == "true"
    assert [(c.get("value"), c.get("hotkey")) for c in sentiment] == [
        ("negative", "7"),
        ("neutral", "8"),
        ("positive", "9"),
        ("mixed", "0"),
    ]


def test_label_config_escapes_text(tmp_path: Path, raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["labels"][0]["description"] = 'Says "hi" & <b>bye</b>'
    xml = label_config(load_schema(write_schema(tmp_path, data)))
    label = ET.fromstring(xml).find("Labels/Label")
    assert label is not None
    assert label.get("hint") == 'Says "hi" & <b>bye</b>'


def test_label_config_parses_with_label_studio_sdk(schema: Schema) -> None:
    interface_mod = pytest.importorskip("label_studio_sdk.label_interface")
    li = interface_mod.LabelInterface(label_config(schema))
    li.validate()  # raises on an invalid config
    control_names = {c.name for c in li.controls}
    assert control_names == {LABELS_NAME, *schema.controls}


# --------------------------------------------------------------------------------------------
# Bad schemas


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(
            lambda d: d["labels"].append({**d["labels"][1], "hotkey": "6"}),
            r"labels\[5\]\.name: label 'Cue' is already defined by labels\[1\]",
            id="duplicate-label",
        ),
        pytest.param(
            lambda d: d["labels"][2].update(hotkeys="q"),
            r"labels\[2\]\.hotkeys: unknown key 'hotkeys' \(allowed: name, description, hotkey,"
            r" color, attributes, control, trim\)",
            id="unknown-key-label",
        ),
        pytest.param(
            lambda d: d.update(colour="#fff"),
            r": colour: unknown key 'colour' \(allowed: id, title,",
            id="unknown-key-top",
        ),
        pytest.param(
            lambda d: d["labels"][0]["attributes"][0]["choices"][0].update(hint="x"),
            r"labels\[0\]\.attributes\[0\]\.choices\[0\]\.hint: unknown key 'hint'",
            id="unknown-key-choice",
        ),
        pytest.param(
            lambda d: d["labels"][3].update(name="Claim<x>"),
            r"labels\[3\]\.name: label name 'Claim<x>' contains '<'",
            id="xml-char-in-name",
        ),
        pytest.param(
            lambda d: d["labels"][3].update(name="Claim,Opinion"),
            r"labels\[3\]\.name: label name 'Claim,Opinion' contains ','",
            id="comma-in-name",
        ),
        pytest.param(
            lambda d: d["labels"][0].update(description="bad \x01 char"),
            r"labels\[0\]\.description: contains U\+0001, a character XML cannot carry",
            id="xml-illegal-char",
        ),
        pytest.param(
            lambda d: d["relations"][0].update(to="Speaker"),
            r"relations\[0\]\.to: unknown label 'Speaker' \(labels: Source, Cue, Content, Claim,"
            r" Target\)",
            id="bad-relation-end",
        ),
        pytest.param(
            lambda d: d["relations"][1].update({"from": ["Cue", "Sorce"]}),
            r"relations\[1\]\.from\[1\]: unknown label 'Sorce'",
            id="bad-relation-end-list",
        ),
        pytest.param(
            lambda d: d["labels"][2].update(hotkey="1"),
            r"labels\[2\]\.hotkey: '1' is already used by labels\[0\] \(Source\)",
            id="duplicate-label-hotkey",
        ),
        pytest.param(
            lambda d: d["labels"][3]["attributes"][0]["choices"][0].update(hotkey="d"),
            r"labels\[3\]\.attributes\[0\]\.choices\[0\]\.hotkey: 'd' is already used by"
            r" labels\[2\]\.attributes\[0\]\.choices\[0\] \(Content\.quote_type=direct\)",
            id="duplicate-hotkey-across-attributes",
        ),
        pytest.param(
            lambda d: d["segment"][0]["choices"][0].update(hotkey="2"),
            r"segment\[0\]\.choices\[0\]\.hotkey: '2' is already used by labels\[1\] \(Cue\)",
            id="segment-hotkey-vs-label",
        ),
        pytest.param(
            lambda d: d["labels"][0].update(hotkey="u"),
            r"labels\[0\]\.hotkey: 'u' is reserved by Label Studio \(Unselect Region\)",
            id="reserved-hotkey",
        ),
        pytest.param(
            lambda d: d["labels"][0].update(hotkey="ctrl+"),
            r"labels\[0\]\.hotkey: 'ctrl\+' is not a hotkey",
            id="malformed-hotkey",
        ),
        pytest.param(
            lambda d: d["labels"][0].update(hotkey="S"),
            r"labels\[0\]\.hotkey: 'S': write hotkeys in lower case",
            id="uppercase-hotkey",
        ),
        pytest.param(
            lambda d: d["labels"][0].update(color="blue"),
            r"labels\[0\]\.color: 'blue' is not a colour like '#1f77b4'",
            id="bad-color",
        ),
        pytest.param(
            lambda d: d["labels"][0].update(color=None),
            r"labels\[0\]\.color: is empty \(quote colours",
            id="unquoted-color",
        ),
        pytest.param(
            lambda d: d["labels"][4]["attributes"][0].update(choices=[]),
            r"labels\[4\]\.attributes\[0\]\.choices: an attribute needs at least one choice",
            id="empty-choices",
        ),
        pytest.param(
            lambda d: d["labels"][1].pop("hotkey"),
            r"labels\[1\]\.hotkey: required key 'hotkey' is missing",
            id="missing-hotkey",
        ),
        pytest.param(
            lambda d: d.pop("title"),
            r": title: required key 'title' is missing",
            id="missing-title",
        ),
        pytest.param(
            lambda d: d.update(labels=[]),
            r": labels: must not be empty",
            id="no-labels",
        ),
        pytest.param(
            lambda d: d["labels"][0]["attributes"][0].update(required="yes"),
            r"labels\[0\]\.attributes\[0\]\.required: must be true or false",
            id="non-bool-flag",
        ),
        pytest.param(
            lambda d: d["labels"][0]["attributes"][0]["choices"][0].update(off_scale=True),
            r"choices\[0\]\.off_scale: only applies to an attribute with 'ordered: true'",
            id="off-scale-unordered",
        ),
        pytest.param(
            lambda d: d["segment"][0].update(name="label"),
            r"segment\[0\]\.name: 'label' gives the Label Studio control name 'label', already"
            r" used by the generated view",
            id="control-name-clash",
        ),
        pytest.param(
            lambda d: d.update(guidelines="missing.md"),
            r": guidelines: file 'missing.md' not found next to the schema",
            id="missing-guidelines",
        ),
    ],
)
def test_bad_schema(tmp_path: Path, raw: dict[str, Any], mutate: Any, expected: str) -> None:
    data = copy.deepcopy(raw)
    mutate(data)
    assert re.search(expected, config_error(tmp_path, data))


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    bad = "id: x\ntitle: t\nlabels:\n  - name: [Source\n    hotkey: s\n"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_schema(path)
    message = info.value.message
    assert "\n" not in message
    assert re.match(rf"{re.escape(str(path))}: line \d+, column \d+: YAML syntax error: ", message)


def test_duplicate_yaml_key_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("id: x\ntitle: t\ntitle: u\nlabels: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"x\.yaml: line 3: duplicate key 'title'"):
        load_schema(path)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="schema file not found"):
        load_schema(tmp_path / "nope.yaml")
    (tmp_path / "empty.yaml").write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="the schema file is empty"):
        load_schema(tmp_path / "empty.yaml")
    (tmp_path / "list.yaml").write_text("- a\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\(top level\): must be a mapping, got a list"):
        load_schema(tmp_path / "list.yaml")


def test_int_hotkeys_are_read_as_keys(tmp_path: Path, raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["labels"][0]["hotkey"] = 1  # what `hotkey: 1` (unquoted) gives
    assert load_schema(write_schema(tmp_path, data)).label("Source").hotkey == "1"


# --------------------------------------------------------------------------------------------
# Results


QUOTE_004 = (
    "According to Foreign Minister Shah Mahmood Qureshi, “Prime Minister Imran Khan’s visit to"
    " Russia will be an important milestone in relations between the two countries. During the"
    " visit, there are prospects for progress in some other agreements between the two"
    " countries, including the North-South gas pipeline.”"
)


@pytest.fixture(scope="module")
def text() -> str:
    seed = SEED_004.read_text(encoding="utf-8")
    assert QUOTE_004 in seed
    return QUOTE_004


def span(text: str, rid: str, label: str, fragment: str, nth: int = 0) -> dict[str, Any]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(fragment, start + 1)
    end = start + len(fragment)
    return {
        "id": rid,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "origin": "manual",
        "value": {"start": start, "end": end, "text": fragment, "labels": [label]},
    }


def attr(region: dict[str, Any], control: str, value: str) -> dict[str, Any]:
    return {
        "id": region["id"],
        "from_name": control,
        "to_name": "text",
        "type": "choices",
        "origin": "manual",
        "value": {
            "start": region["value"]["start"],
            "end": region["value"]["end"],
            "text": region["value"]["text"],
            "choices": [value],
        },
    }


def relation(from_id: str, to_id: str, name: str, direction: str = "right") -> dict[str, Any]:
    return {
        "from_id": from_id,
        "to_id": to_id,
        "type": "relation",
        "direction": direction,
        "labels": [name],
    }


@pytest.fixture()
def good(text: str) -> list[dict[str, Any]]:
    cue = span(text, "cue1", "Cue", "According to")
    source = span(text, "src1", "Source", "Foreign Minister Shah Mahmood Qureshi")
    content_text = text[text.index("“") + 1 : text.rindex("”")]
    content = span(text, "con1", "Content", content_text)
    claim = span(
        text,
        "clm1",
        "Claim",
        "Prime Minister Imran Khan’s visit to Russia will be an important milestone in"
        " relations between the two countries",
    )
    khan = span(text, "tgt1", "Target", "Imran Khan")
    russia = span(text, "tgt2", "Target", "Russia")
    return [
        cue,
        source,
        attr(source, "source_source_type", "official"),
        content,
        attr(content, "content_quote_type", "direct"),
        claim,
        attr(claim, "claim_claim_type", "prediction"),
        attr(claim, "claim_checkworthy", "no"),
        khan,
        attr(khan, "target_sentiment", "positive"),
        russia,
        attr(russia, "target_sentiment", "neutral"),
        relation("con1", "src1", "attributed_to"),
        relation("cue1", "con1", "cue_of"),
        {
            "id": "seg",
            "from_name": "sentiment",
            "to_name": "text",
            "type": "choices",
            "origin": "manual",
            "value": {"choices": ["positive"]},
        },
    ]


def find(result: list[dict[str, Any]], rid: str, from_name: str = "label") -> dict[str, Any]:
    return next(r for r in result if r.get("id") == rid and r.get("from_name") == from_name)


def test_valid_result(schema: Schema, text: str, good: list[dict[str, Any]]) -> None:
    assert validate_result(schema, text, good) == []


def test_valid_result_passes_label_studio_sdk(
    schema: Schema, text: str, good: list[dict[str, Any]]
) -> None:
    interface_mod = pytest.importorskip("label_studio_sdk.label_interface")
    li = interface_mod.LabelInterface(label_config(schema))
    assert li.validate_annotation({"result": good}) is True


def test_left_relation_is_reversed(schema: Schema, text: str, good: list[dict[str, Any]]) -> None:
    good[-3] = relation("src1", "con1", "attributed_to", direction="left")
    assert validate_result(schema, text, good) == []


def test_rejects_unknown_label(schema: Schema, text: str, good: list[dict[str, Any]]) -> None:
    find(good, "tgt2")["value"]["labels"] = ["Entity"]
    problems = validate_result(schema, text, good)
    assert any("unknown label 'Entity'" in p for p in problems), problems


def test_rejects_offsets_out_of_range(
    schema: Schema, text: str, good: list[dict[str, Any]]
) -> None:
    value = find(good, "tgt2")["value"]
    value["end"] = len(text) + 5
    problems = validate_result(schema, text, good)
    assert any("outside the text" in p for p in problems), problems
    value["start"], value["end"] = 10, 10
    problems = validate_result(schema, text, good)
    assert any("do not make a non-empty span" in p for p in problems), problems
    value["start"] = "3"
    problems = validate_result(schema, text, good)
    assert any("must be integers" in p for p in problems), problems


def test_rejects_text_mismatch(schema: Schema, text: str, good: list[dict[str, Any]]) -> None:
    find(good, "tgt1")["value"]["text"] = "Imran Kahn"
    problems = validate_result(schema, text, good)
    assert len(problems) == 1
    assert "does not match text[" in problems[0]


def test_accepts_escaped_newline_text(schema: Schema) -> None:
    text = "He said:\nfine"
    result = [
        {
            "id": "a",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": 3, "end": 13, "text": "said:\\nfine", "labels": ["Claim"]},
        },
        {"id": "a", "from_name": "claim_claim_type", "to_name": "text", "type": "choices",
         "value": {"start": 3, "end": 13, "choices": ["factual"]}},
        {"id": "a", "from_name": "claim_checkworthy", "to_name": "text", "type": "choices",
         "value": {"start": 3, "end": 13, "choices": ["no"]}},
        {"id": "s", "from_name": "sentiment", "to_name": "text", "type": "choices",
         "value": {"choices": ["neutral"]}},
    ]  # fmt: skip
    assert validate_result(schema, text, result) == []


def test_rejects_relation_to_missing_region(
    schema: Schema, text: str, good: list[dict[str, Any]]
) -> None:
    good[-3]["to_id"] = "ghost"
    problems = validate_result(schema, text, good)
    assert problems == ["result[12] (relation): to_id 'ghost' points to no region in this result"]


def test_rejects_missing_required_attribute(
    schema: Schema, text: str, good: list[dict[str, Any]]
) -> None:
    good.remove(find(good, "con1", "content_quote_type"))
    problems = validate_result(schema, text, good)
    assert len(problems) == 1
    assert "Content region has no quote_type (required)" in problems[0]


def test_rejects_missing_segment_choice(
    schema: Schema, text: str, good: list[dict[str, Any]]
) -> None:
    problems = validate_result(schema, text, good[:-1])
    assert problems == ["segment 'sentiment' is required but missing"]


def test_relation_drawn_the_wrong_way_is_turned_round(
    schema: Schema, text: str, good: list[dict[str, Any]]
) -> None:
    good[-3] = relation("src1", "con1", "attributed_to")  # Source → Content: wrong way round
    parsed = parse(schema, text, good)
    assert parsed.problems == ()
    assert Link("attributed_to", "con1", "src1") in parsed.links
    assert any("attributed_to drawn Source → Content, turned round" in r for r in parsed.repairs)


def test_relation_that_fits_nothing_is_dropped_with_a_warning(
    schema: Schema, text: str, good: list[dict[str, Any]]
) -> None:
    good[-3] = relation("cue1", "src1", "cue_of")
    parsed = parse(schema, text, good)
    assert parsed.problems == ()  # a problem of that region, not of the annotation
    assert not any(link.from_id == "cue1" and link.to_id == "src1" for link in parsed.links)
    assert any("cue_of Cue → Source fits no relation; dropped" in w for w in parsed.warnings)


def test_untyped_left_and_bi_relations_are_typed_from_the_labels(
    schema: Schema, text: str, good: list[dict[str, Any]]
) -> None:
    good[-3]["labels"] = []
    parsed = parse(schema, text, good)
    assert parsed.problems == ()
    assert any("untyped relation typed" in r for r in parsed.repairs), parsed.repairs
    good[-3] = relation("src1", "con1", "attributed_to", direction="left")  # drawn right-to-left
    parsed = parse(schema, text, good)
    assert Link("attributed_to", "con1", "src1") in parsed.links
    assert any("direction 'left' turned round" in r for r in parsed.repairs)
    good[-3] = relation("con1", "src1", "attributed_to", direction="bi")
    parsed = parse(schema, text, good)
    assert parsed.problems == () and Link("attributed_to", "con1", "src1") in parsed.links
    good[-3]["labels"] = ["said_by"]
    assert any("unknown relation 'said_by'" in p for p in validate_result(schema, text, good))


def test_rejects_bad_attribute_values(
    schema: Schema, text: str, good: list[dict[str, Any]]
) -> None:
    find(good, "con1", "content_quote_type")["value"]["choices"] = ["verbatim"]
    problems = validate_result(schema, text, good)
    assert any("'verbatim' is not a content_quote_type choice" in p for p in problems), problems


def test_answer_left_on_a_relabelled_region_is_dropped(
    schema: Schema, text: str, good: list[dict[str, Any]]
) -> None:
    # Label Studio keeps a region's answers when the annotator changes its label afterwards
    good.append(attr(find(good, "src1"), "content_quote_type", "direct"))
    parsed = parse(schema, text, good)
    assert parsed.problems == ()
    assert any("content_quote_type answer dropped" in r for r in parsed.repairs), parsed.repairs
    src = next(r for r in parsed.regions if r.id == "src1")
    assert "quote_type" not in src.answers


def test_unknown_controls_are_kept_not_fatal(
    schema: Schema, text: str, good: list[dict[str, Any]]
) -> None:
    good.append({**find(good, "tgt1"), "id": "x1", "from_name": "labels"})
    parsed = parse(schema, text, good)
    assert parsed.problems == ()
    assert any("control 'labels' is not in the schema; kept" in w for w in parsed.warnings)
    assert parsed.other == (good[-1],) and parsed.entry()["other"] == [good[-1]]
    good.append({**find(good, "tgt2"), "id": "x2", "to_name": "txt"})
    assert any("to_name must be 'text'" in p for p in validate_result(schema, text, good))


def test_rejects_non_list(schema: Schema, text: str) -> None:
    assert validate_result(schema, text, {"result": []}) == [  # type: ignore[arg-type]
        "result must be a list, got a mapping"
    ]
