"""Label Studio itself SIGKILLed in the middle of a push and of a pull (a dedicated server, not
the session's): the command fails with one line and exit code 6; after a restart on the same
data dir with the same token, running it again leaves every segment in Label Studio exactly
once and every annotation in the store exactly once.

The kill is placed by `faultrun.py`'s ``http`` fault: the workbench process itself SIGKILLs the
server's process group while its K-th import (or task page) request is in flight.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import reliability_helpers as rh
import sqlalchemy as sa
from reliability_helpers import Stages

from workbench.labelstudio import server
from workbench.labelstudio.client import LabelStudioClient
from workbench.samples import load_samples
from workbench.store import Annotation, Segment, Task, open_store

pytestmark = pytest.mark.labelstudio


class Dedicated:
    """A Label Studio server of this module alone, which the tests kill and restart."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.info = server.start(data_dir, timeout=600)

    @property
    def port(self) -> int:
        port = urllib.parse.urlsplit(self.info.url).port
        assert port is not None
        return port

    def restart(self) -> None:
        """Start again on the same data dir, port and token (the URL the store knows)."""
        assert not server.status(self.data_dir).running, "the server should be dead"
        self.info = server.start(self.data_dir, port=self.port, token=self.info.token, timeout=600)

    def client(self) -> LabelStudioClient:
        return LabelStudioClient(self.info.url, self.info.token)


@pytest.fixture(scope="module")
def dedicated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dedicated]:
    ls = Dedicated(tmp_path_factory.mktemp("ls-dedicated"))
    try:
        yield ls
    finally:
        server.stop(ls.data_dir)


def _segments_on_server(client: LabelStudioClient, project_id: int) -> list[str]:
    return [
        t["data"]["segment_id"]
        for t in client.list_tasks(project_id, page_size=500, annotations=False)
    ]


def test_label_studio_killed_mid_push_and_mid_pull(
    dedicated: Dedicated, stages: Stages, tmp_path: Path
) -> None:
    db = rh.copy_sqlite(stages.seeded, tmp_path / "store.db")
    url = rh.sqlite_url(db)
    dataset = "lskill"

    def env(fault: dict[str, object] | None = None) -> dict[str, str]:
        return rh.cli_env(
            url,
            dataset=dataset,
            ls_url=dedicated.info.url,
            token=dedicated.info.token,
            fault=fault,
        )

    # -- push: the server dies while it imports the third batch
    killed = rh.run_cli(
        ["push", "--batch-size", "10"],
        env(
            {
                "preload_sdk": True,
                "http": {
                    "match": r"^POST .*/import",
                    "nth": 3,
                    "when": "during",
                    "delay": 0.05,
                    "kill_pid": dedicated.info.pid,
                },
            }
        ),
        tmp_path,
        faulty=True,
    )
    assert killed.returncode == 6, killed.stderr
    assert len(killed.stderr.strip().splitlines()) == 1 and "Traceback" not in killed.stderr
    assert "Label Studio" in killed.stderr and dedicated.info.token not in killed.stderr

    dedicated.restart()
    again = rh.run_cli(["push", "--batch-size", "10"], env(), tmp_path)
    assert again.returncode == 0, again.stderr
    store = open_store(url)
    try:
        with store.session() as s:
            project_id = s.scalar(
                sa.text("select project_id from datasets where name = :n"), {"n": dataset}
            )
            segments = set(s.scalars(sa.select(Segment.id).where(Segment.unit == "paragraph")))
            tasks = s.execute(sa.select(Task.segment_id, Task.ls_task_id, Task.state)).all()
        client = dedicated.client()
        on_server = _segments_on_server(client, int(project_id))
        assert sorted(on_server) == sorted(segments)  # every segment, exactly once
        assert {state for _, _, state in tasks} == {"pushed"}
        by_segment = {
            t["data"]["segment_id"]: int(t["id"])
            for t in client.list_tasks(int(project_id), annotations=False)
        }
        assert {sid: tid for sid, tid, _ in tasks} == by_segment

        # -- pull: the server dies while it serves the second page of tasks
        load_samples(store, client, rh.schema(), dataset, rh.SAMPLES)
        expected = {
            int(a["id"])
            for t in client.list_tasks(int(project_id), page_size=500, annotations=True)
            for a in t.get("annotations") or []
        }
        assert len(expected) == 24
    finally:
        store.close()
    killed = rh.run_cli(
        ["pull"],
        env(
            {
                "preload_sdk": True,
                "page_size": 8,
                "http": {
                    "match": r"^GET .*/api/tasks",
                    "nth": 2,
                    "when": "during",
                    "delay": 0.02,
                    "kill_pid": dedicated.info.pid,
                },
            }
        ),
        tmp_path,
        faulty=True,
    )
    assert killed.returncode == 6, killed.stderr
    assert len(killed.stderr.strip().splitlines()) == 1 and "Traceback" not in killed.stderr

    dedicated.restart()
    again = rh.run_cli(["pull"], env(), tmp_path)
    assert again.returncode == 0, again.stderr
    store = open_store(url)
    try:
        with store.session() as s:
            stored = s.execute(
                sa.select(Annotation.ls_annotation_id, Annotation.revision, Annotation.is_current)
            ).all()
            locks = s.scalar(sa.text("select count(*) from locks"))
    finally:
        store.close()
    assert sorted(a for a, _, _ in stored) == sorted(expected)  # every annotation, exactly once
    assert {(rev, current) for _, rev, current in stored} == {(1, True)}
    assert locks == 0
    assert rh.run_cli(["pull"], env(), tmp_path).returncode == 0  # and again: nothing new
    assert len(rh.table_rows(url)["annotations"]) == 24
