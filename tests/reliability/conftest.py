"""Fixtures of the reliability suite: the seed corpus at each stage of the pipeline, as SQLite
files that every test copies (built once per session, in-process: fast)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import reliability_helpers as rh
from reliability_helpers import Stages

from workbench import pull_file
from workbench.config import Settings, load_settings
from workbench.reconcile import commands
from workbench.store import open_store


def _settings(url: str, cwd: Path) -> Settings:
    return load_settings(
        {"database_url": url, "dataset": "news", "schema_path": str(rh.SCHEMA_PATH)},
        cwd=cwd,
        environ={},
    )


@pytest.fixture(scope="session")
def stages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stages]:
    base = tmp_path_factory.mktemp("stages")
    seeded = base / "seeded.db"
    store = rh.seed_store(seeded)
    export_file = rh.write_json(base / "export.json", rh.sample_export(store))
    store.close()

    pulled = rh.copy_sqlite(seeded, base / "pulled.db")
    store = open_store(rh.sqlite_url(pulled))
    pull_file.pull_from_file(_settings(rh.sqlite_url(pulled), base), store, export_file)
    store.close()

    reconciled = rh.copy_sqlite(pulled, base / "reconciled.db")
    store = open_store(rh.sqlite_url(reconciled))
    commands.reconcile(_settings(rh.sqlite_url(reconciled), base), store, dataset="news")
    store.close()
    yield Stages(export_file, seeded, pulled, reconciled)
