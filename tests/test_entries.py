"""Stored entries made again under another parser (`workbench.entries.refresh`): the notes of
the parse (repairs, warnings) are made again with the entry, never left from the old one."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from tests.test_datasets import TEXT, TINY, settings_with
from workbench.pull_file import pull_from_file
from workbench.reconcile.commands import reconcile
from workbench.status import problems
from workbench.store import Annotation, Store

# an old parser's note of a repair the current one does not make (or makes otherwise)
STALE = "label 'Person' #0: offsets 5..16 → 8..15 (value.text 'Berg said')"


def span(given: str) -> dict[str, object]:
    return {"id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": 0, "end": 9, "text": given, "labels": ["Person"]}}  # fmt: skip


def test_entries_made_again_bring_their_repair_notes_with_them(
    store: Store, store_url: str, tmp_path: Path
) -> None:
    settings = settings_with(store_url, tmp_path, TINY)
    tone = {"from_name": "tone", "to_name": "text", "type": "choices",
            "value": {"choices": ["calm"]}}  # fmt: skip
    # annotator 1's span text has a space before it (a quirk the parser repairs), 2's is exact
    given = {1: " Anna Berg", 2: "Anna Berg"}
    tasks = [{"id": 7, "data": {"text": TEXT}, "annotations": [
        {"id": 70 + u, "completed_by": u, "result": [span(given[u]), tone],
         "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
        for u in (1, 2)]}]  # fmt: skip
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    assert pull_from_file(settings, store, path).repaired == 1

    def notes() -> dict[int, tuple[object, object, str | None]]:
        with store.session() as s:
            a = Annotation
            rows = s.execute(sa.select(a.ls_annotation_id, a.repairs, a.warnings, a.entry_key))
            return {ls_id: (r, w, key) for ls_id, r, w, key in rows}

    fresh = notes()
    assert fresh[71][0] and "surrounding whitespace" in str(fresh[71][0]) and fresh[72][0] is None
    # what an older parser (another `annotation.records.FORMAT`) left: its entries and notes
    with store.session() as s:
        s.execute(sa.update(Annotation).values(repairs=[STALE], warnings=["old"], entry_key="0"))
    reconcile(settings, store, dataset="tiny")  # entries made again before reading them
    assert notes() == fresh
    listed = {r.ls_annotation_id: r.problems for r in problems(store, "tiny", repaired=True)}
    assert list(listed) == [71] and STALE not in listed[71]
