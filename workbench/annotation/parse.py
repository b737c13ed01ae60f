"""A Label Studio result → `Parsed`: checked against the schema and the task text, Label
Studio's quirks repaired and recorded (see the package docstring). Pure; never raises."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from workbench.schema import Attribute, Relation, Schema
from workbench.schema.rules import type_name

from .clean import LONE_SURROGATE
from .records import Link, Parsed, Region, Value

#: How far (characters) a span's offsets may be off its stored text and still be repaired.
NEAR = 8
_DIRECTIONS = ("right", "left", "bi")
#: Quotation marks of every common style (straight, curly, low-9, guillemets, CJK corners).
QUOTES = frozenset("\"'“”„‟‘’‚‛«»‹›「」『』")
POSSESSIVES = ("'s", "’s")


def parse(schema: Schema, text: str | None, result: Any) -> Parsed:
    """Parse and check one annotation result against the schema and the task text (None:
    offsets are taken as they are, for results read without their text)."""
    try:
        return _Parser(schema, text).run(result)
    except Exception as exc:  # a parser bug must not take a pull down with it
        return Parsed(problems=(f"result could not be checked ({type(exc).__name__})",))


def validate(schema: Schema, text: str | None, result: Any) -> list[str]:
    """Why this result cannot be used (empty: it can), one line per problem."""
    return list(parse(schema, text, result).problems)


@dataclass
class _Span:
    index: int
    id: str
    labels: tuple[str, ...]
    start: int
    end: int
    raw: tuple[int, int]  # the offsets as stored, which per-region answers repeat


class _Parser:
    def __init__(self, schema: Schema, text: str | None) -> None:
        self.schema = schema
        self.text = text
        self.problems: list[str] = []
        self.repairs: list[str] = []
        self.warnings: list[str] = []
        self.trims = {label.name: label.trim for label in schema.labels if label.trim}

    def run(self, result: Any) -> Parsed:
        if not isinstance(result, list):
            return Parsed(problems=(f"result must be a list, got {type_name(result)}",))
        schema = self.schema
        spans: dict[str, _Span] = {}
        region_items: list[tuple[int, dict[str, Any], Attribute, Value]] = []
        relation_items: list[tuple[int, dict[str, Any]]] = []
        answers: dict[str, Value] = {}
        answered_at: dict[str, int] = {}
        other: list[Any] = []
        for i, item in enumerate(result):
            where = f"result[{i}]"
            if not isinstance(item, dict):
                self.problems.append(f"{where}: must be an object, got {type_name(item)}")
                continue
            if item.get("type") == "relation":
                relation_items.append((i, item))
                continue
            if "id" in item:
                where += f" (id {item['id']!r})"
            name = item.get("from_name")
            if isinstance(name, str) and name in schema.span_controls:
                if not self._common(item, where, "labels"):
                    continue
                span = self._span(item, i, where, schema.span_controls[name])
                if span is None:
                    continue
                if span.id in spans:
                    first = spans[span.id].index
                    self.problems.append(f"{where}: duplicate region id (also result[{first}])")
                else:
                    spans[span.id] = span
            elif isinstance(name, str) and name in schema.controls:
                attr = schema.controls[name]
                if not self._common(item, where, attr.kind):
                    continue
                value = self._answer(attr, item["value"], where)
                if value is None:
                    continue
                if attr.per_region:
                    region_items.append((i, item, attr, value))
                elif name in answered_at:
                    self.problems.append(
                        f"{where}: second answer for segment {attr.name!r}"
                        f" (first is result[{answered_at[name]}])"
                    )
                else:
                    answered_at[name] = i
                    answers[attr.name] = value
            else:
                other.append(item)
                self.warnings.append(
                    f"{where}: control {name!r} is not in the schema; kept as it is"
                )
        region_answers = self._region_answers(spans, region_items)
        for attr in schema.segment:
            if attr.required and attr.control_name not in answered_at:
                self.problems.append(f"segment {attr.name!r} is required but missing")
        links = self._links(spans, relation_items)
        regions = tuple(
            Region(s.id, s.labels, s.start, s.end, region_answers.get(s.id, {}))
            for s in spans.values()
            if s.labels
        )
        notes = (tuple(self.repairs), tuple(self.warnings), tuple(self.problems))
        return Parsed(regions, tuple(links), answers, tuple(other), *notes)

    # -- items -------------------------------------------------------------------------------

    def _common(self, item: dict[str, Any], where: str, kind: str) -> bool:
        ok = True
        for key, want in (("to_name", self.schema.view.text), ("type", kind)):
            if item.get(key) != want:
                self.problems.append(f"{where}: {key} must be {want!r}, got {item.get(key)!r}")
                ok = False
        if not isinstance(item.get("value"), dict):
            self.problems.append(f"{where}: value must be an object")
            ok = False
        return ok

    def _span(
        self, item: dict[str, Any], i: int, where: str, allowed: Sequence[str]
    ) -> _Span | None:
        rid = item.get("id")
        if not isinstance(rid, str) or not rid:
            self.problems.append(f"{where}: a span needs a non-empty string id")
            return None
        value: dict[str, Any] = item["value"]
        labels = value.get("labels")
        if labels is None or labels == []:
            # the editor keeps a region whose label was unselected and exports it without one
            # (label-studio#1601): nothing to label, so nothing is lost by leaving it out
            self.repairs.append(
                f"{where}: a region without a label left out, with its relations and answers"
            )
            return _Span(i, rid, (), 0, 0, (0, 0))
        multi = self.schema.view.multi_label
        good: tuple[str, ...] = ()
        if not isinstance(labels, list) or not labels or (len(labels) > 1 and not multi):
            self.problems.append(
                f"{where}: value.labels must hold {'labels' if multi else 'exactly one label'},"
                f" got {labels!r}"
            )
        elif bad := [label for label in labels if label not in allowed]:
            self.problems.append(f"{where}: unknown label {bad[0]!r} (known: {', '.join(allowed)})")
        else:
            good = tuple(dict.fromkeys(str(label) for label in labels))
        start, end = value.get("start"), value.get("end")
        if not (_is_int(start) and _is_int(end)):
            self.problems.append(
                f"{where}: value.start/end must be integers, got {start!r}/{end!r}"
            )
            return _Span(i, rid, (), 0, 0, (0, 0))
        raw = (start, end)
        text = self.text
        if text is None:
            ok = 0 <= start < end
            return _Span(i, rid, good if ok else (), start, end, raw)
        if not 0 <= start < end <= len(text):
            self.problems.append(
                f"{where}: offsets {start}..{end} are outside the text (0..{len(text)})"
                if start >= 0 and end > start
                else f"{where}: offsets {start}..{end} do not make a non-empty span"
            )
            return _Span(i, rid, (), start, end, raw)
        given = value.get("text")
        if given is not None and not (isinstance(given, str) and _matches(text[start:end], given)):
            plain = _line_breaks(given, text[start:end]) if isinstance(given, str) else None
            kept = _editor_text(text, start, end, plain) if plain is not None else None
            fixed = kept[:2] if kept else _near(text, start, end, plain) if plain else None
            if fixed is None:
                self.problems.append(
                    f"{where}: value.text {_clip(given)!r} does not match text[{start}:{end}]"
                    f" {_clip(text[start:end])!r}"
                )
                return _Span(i, rid, (), start, end, raw)
            moved = f"offsets {start}..{end} → {fixed[0]}..{fixed[1]}"
            if kept:
                self.repairs.append(
                    f"{where}: value.text {_clip(given)!r} is text[{fixed[0]}:{fixed[1]}]"
                    f" {_clip(text[slice(*fixed)])!r} {kept[2]}"
                    + (f"; {moved}" if fixed != (start, end) else "")
                )
            elif fixed != (start, end):
                self.repairs.append(f"{where}: {moved} (value.text {_clip(given)!r})")
            else:
                self.repairs.append(
                    f"{where}: value.text {_clip(given)!r} differs from the text only by"
                    " surrounding whitespace"
                )
            start, end = fixed
        if good:
            start, end = self._trim(where, good[0], text, start, end)
        return _Span(i, rid, good, start, end, raw)

    def _trim(self, where: str, label: str, text: str, start: int, end: int) -> tuple[int, int]:
        """What the editor's word snapping adds and the guidelines leave to the tool: quotation
        marks at either end of a Content, a possessive at the end of a Source or Target (as
        the label's `trim` says). The original offsets are kept in the repair's note."""
        rules = self.trims.get(label, ())
        s, e = start, end
        if "quotes" in rules:
            s, e = _unquote(text, s, e)
        if "possessive" in rules and e - s > 2 and text[e - 2 : e].lower() in POSSESSIVES:
            e -= 2
        if (s, e) != (start, end) and s < e:
            what = " and ".join(r for r in ("quotes", "possessive") if r in rules)
            self.repairs.append(
                f"{where}: {label} {start}..{end} → {s}..{e} ({what} trimmed:"
                f" {_clip(text[start:end])!r} → {_clip(text[s:e])!r})"
            )
            return s, e
        return start, end

    def _answer(self, attr: Attribute, value: dict[str, Any], where: str) -> Value | None:
        key = "text" if attr.kind == "textarea" else attr.kind
        answer, problem = _normalise(attr, value.get(key))
        if problem:
            self.problems.append(f"{where}: {problem}")
        return answer

    def _region_answers(
        self,
        spans: Mapping[str, _Span],
        items: list[tuple[int, dict[str, Any], Attribute, Value]],
    ) -> dict[str, dict[str, Value]]:
        """Per-region answers attached to their regions; every region's required ones."""
        out: dict[str, dict[str, Value]] = {}
        answered: dict[tuple[str, str], int] = {}
        for i, item, attr, answer in items:
            rid = item.get("id")
            where = f"result[{i}] (id {rid!r})"
            span = spans.get(rid) if isinstance(rid, str) else None
            if span is None:
                self.problems.append(
                    f"{where}: {attr.control_name} answer for a region that does not exist"
                )
                continue
            if not span.labels:
                continue  # the span's own problem is already reported
            if attr.label is not None and attr.label not in span.labels:
                # Label Studio keeps a region's answers when its label is changed afterwards
                self.repairs.append(
                    f"{where}: {attr.control_name} answer dropped: region {rid!r} is now a"
                    f" {span.labels[0]}"
                )
                continue
            key = (span.id, attr.control_name)
            if key in answered:
                self.problems.append(
                    f"{where}: second {attr.control_name} answer for region {rid!r}"
                    f" (first is result[{answered[key]}])"
                )
                continue
            answered[key] = i
            value = item.get("value", {})
            for bound, stored in zip(("start", "end"), span.raw, strict=True):
                if bound in value and value[bound] != stored:
                    self.problems.append(
                        f"{where}: value.{bound}={value[bound]!r} differs from its region's"
                        f" ({stored!r})"
                    )
            out.setdefault(span.id, {})[attr.name] = answer
        for span in spans.values():
            for label in span.labels[:1]:
                for attr in self.schema.region_questions(label):
                    if attr.required and (span.id, attr.control_name) not in answered:
                        self.problems.append(
                            f"result[{span.index}] (id {span.id!r}): {label} region has no"
                            f" {attr.name} (required)"
                        )
        return out

    def _links(
        self, spans: Mapping[str, _Span], items: list[tuple[int, dict[str, Any]]]
    ) -> list[Link]:
        out: list[Link] = []
        for i, item in items:
            where = f"result[{i}] (relation)"
            a, b = item.get("from_id"), item.get("to_id")
            dangling = [
                f"{where}: {end} {rid!r} points to no region in this result"
                for end, rid in (("from_id", a), ("to_id", b))
                if not isinstance(rid, str) or rid not in spans
            ]
            if dangling:
                self.problems.extend(dangling)
                continue
            assert isinstance(a, str) and isinstance(b, str)
            if a == b:
                self.problems.append(f"{where}: relates region {a!r} to itself")
                continue
            direction = item.get("direction", "right")
            if direction not in _DIRECTIONS:
                self.problems.append(
                    f"{where}: direction {direction!r} is not one of {', '.join(_DIRECTIONS)}"
                )
                continue
            if direction == "left":
                a, b = b, a
                self.repairs.append(f"{where}: direction 'left' turned round ({a} → {b})")
            kinds = item.get("labels") or []
            if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
                self.problems.append(f"{where}: labels must be a list of relation names")
                continue
            unknown = [k for k in kinds if k not in self.schema.relation_names]
            if unknown:
                known = ", ".join(self.schema.relation_names)
                self.problems.append(f"{where}: unknown relation {unknown[0]!r} (known: {known})")
                continue
            if not spans[a].labels or not spans[b].labels:
                continue  # the span's own problem is already reported
            for kind in kinds or [None]:
                link = self._typed(where, kind, spans[a], spans[b], direction == "bi")
                if link is not None and link not in out:
                    out.append(link)
        return out

    def _typed(self, where: str, kind: str | None, x: _Span, y: _Span, both: bool) -> Link | None:
        """The relation `x → y` of type `kind` in the schema's direction, typed from the two
        labels when untyped; None (with a warning) when no relation fits."""
        a, b, la, lb = x.id, y.id, x.labels[0], y.labels[0]
        schema = self.schema
        candidates: list[tuple[Relation, str, str]] = []
        for rel in schema.relations if kind is None else (schema.relation(kind),):
            if rel.allows(la, lb):
                candidates.append((rel, a, b))
            elif rel.allows(lb, la):
                candidates.append((rel, b, a))
        if len(candidates) == 1:
            rel, one, two = candidates[0]
            if kind is None:
                self.repairs.append(f"{where}: untyped relation typed {rel.name}")
            elif both:
                self.repairs.append(f"{where}: direction 'bi' read as {rel.name}")
            elif one != a:
                self.repairs.append(f"{where}: {rel.name} drawn {la} → {lb}, turned round")
            return Link(rel.name, one, two)
        what = f"{kind} " if kind else "untyped relation "
        why = "fits no relation" if not candidates else "fits several relations"
        self.warnings.append(f"{where}: {what}{la} → {lb} {why}; dropped")
        return None


# -- helpers ---------------------------------------------------------------------------------


def _normalise(attr: Attribute, raw: Any) -> tuple[Value | None, str]:
    """An answer's value, normalised: a choice (str), choices (sorted list), taxonomy paths
    ("a/b"), a rating (int), a number, text, a datetime (str); or (None, why it cannot be)."""
    kind, name = attr.kind, attr.control_name
    if kind == "choices":
        if not isinstance(raw, list) or not raw or not all(isinstance(c, str) for c in raw):
            return None, f"value.choices must be a non-empty list, got {raw!r}"
        if len(raw) > 1 and not attr.multiple:
            return None, f"{name} takes one choice, got {raw!r}"
        if bad := [c for c in raw if c not in attr.values]:
            return None, f"{bad[0]!r} is not a {name} choice (allowed: {', '.join(attr.values)})"
        return (sorted(set(raw)) if attr.multiple else raw[0]), ""
    if kind == "taxonomy":
        if not isinstance(raw, list) or not all(
            isinstance(p, list) and p and all(isinstance(x, str) for x in p) for p in raw
        ):
            return None, "value.taxonomy must be a list of paths"
        paths = sorted({"/".join(p) for p in raw})
        bad = [p for p in paths if p not in attr.values]
        if bad or not paths:
            return None, f"{bad[0] if bad else ''!r} is not a {name} path"
        if len(paths) > 1 and not attr.multiple:
            return None, f"{name} takes one path, got {paths!r}"
        return (paths if attr.multiple else paths[0]), ""
    if kind in ("rating", "number"):
        if not isinstance(raw, int | float) or isinstance(raw, bool):
            return None, f"value.{kind} must be a number, got {raw!r}"
        if kind == "number":
            return raw, ""
        if raw != int(raw) or not 1 <= raw <= int(attr.max_value or 5):
            return None, f"rating {raw!r} is off the {name} scale"
        return int(raw), ""
    if kind == "textarea":
        texts = [raw] if isinstance(raw, str) else raw
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            return None, "value.text must be a list of strings"
        return list(texts), ""
    if not isinstance(raw, str) or not raw:  # datetime
        return None, f"value.datetime must be a string, got {raw!r}"
    return raw, ""


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _matches(expected: str, given: str) -> bool:
    # The editor may store a fresh selection's text with line breaks written as a literal "\n",
    # and half of an emoji at a region's edge as a lone surrogate (its offsets, in code points,
    # are right).
    if given == expected or given == re.sub(r"\r\n|\r|\n", r"\\n", expected):
        return True
    lone = LONE_SURROGATE.search(given) is not None
    return lone and LONE_SURROGATE.sub("", given) == _EDGE_ASTRAL.sub("", expected)


_EDGE_ASTRAL = re.compile("^[\U00010000-\U0010ffff]+|[\U00010000-\U0010ffff]+$")


def _line_breaks(given: str, covered: str) -> str:
    """`given` with the literal "\\n" the editor writes for a line break (also for one just
    past the selection) made a line break again, unless the text covered holds one itself."""
    return given if "\\n" in covered else given.replace("\\n", "\n")


def _editor_text(text: str, start: int, end: int, given: str) -> tuple[int, int, str] | None:
    """`start..end`, trimmed, with why its `value.text` differs, when the editor's own text
    handling explains it and the offsets are right: runs of whitespace stored as one space
    (label-studio#3078, #5338), or a selection snapped to whole words (granularity="word")
    whose stored text kept only the characters selected (#1931). None otherwise."""
    covered = text[start:end]
    s = start + len(covered) - len(covered.lstrip())
    e = end - (len(covered) - len(covered.rstrip()))
    target = given.strip()
    if s >= e or not target or covered.strip() == target:
        return None  # nothing there, or only surrounding whitespace (`_near` trims it)
    if covered.split() == given.split():
        return s, e, "with its runs of whitespace collapsed by the editor"
    at = text.find(target, s, e)
    while at >= 0:
        if _whole_words(text, at, at + len(target)) == (s, e):
            return s, e, "cut to the characters selected (the editor snapped to whole words)"
        at = text.find(target, at + 1, e)
    return None


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """`start..end` widened to the words it cuts into."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    return start, end


def _near(text: str, start: int, end: int, given: str) -> tuple[int, int] | None:
    """The offsets of `given`, trimmed, at or nearest to `start..end` (within `NEAR`
    characters); None when it is not there."""
    target = given.strip()
    if not target:
        return None
    covered = text[start:end]
    if covered.strip() == target:
        lead = len(covered) - len(covered.lstrip())
        return start + lead, start + lead + len(target)
    lo = max(0, start - NEAR)
    window = text[lo : end + NEAR]
    best: tuple[int, int] | None = None
    at = window.find(target)
    while at >= 0:
        s = lo + at
        if best is None or abs(s - start) < abs(best[0] - start):
            best = (s, s + len(target))
        at = window.find(target, at + 1)
    return best


def _unquote(text: str, start: int, end: int) -> tuple[int, int]:
    """`start..end` without the quotation marks that enclose it: a mark at both ends, or at
    one end when the span holds no other mark (the other one lies outside the selection). A
    span that opens or closes a quotation inside it (mixed content) keeps its marks."""
    s, e = start, end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    lead = s < e and text[s] in QUOTES
    tail = e - s > 1 and text[e - 1] in QUOTES
    inner = sum(ch in QUOTES for ch in text[s + lead : e - tail])
    if (lead and tail) or ((lead or tail) and not inner):
        s, e = s + lead, e - tail
    return s, e


def _clip(value: object, limit: int = 40) -> str:
    s = str(value)
    return s if len(s) <= limit else s[: limit - 1] + "…"
