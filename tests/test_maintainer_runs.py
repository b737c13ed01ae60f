"""A maintainer running the sync commands against a real Label Studio, on SQLite and
PostgreSQL, and taking wrong turns: a store URL that names someone else's database, a mistyped
dataset or URL, the wrong folder, ctrl-c on a waiting pull. Each is one line naming what and
where, a documented exit code, and nothing changed (store or server). And what a run that went
right says: a second pull that nothing is new, times in UTC on both engines."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_push import SCHEMA, settings_for

from workbench import corpus
from workbench.errors import ConfigError, StoreError
from workbench.labelstudio.client import LabelStudioClient
from workbench.labelstudio.server import ServerInfo
from workbench.push import push
from workbench.schema import load_schema
from workbench.store import Store, open_store
from workbench.store.lock import operation_lock

pytestmark = pytest.mark.labelstudio


def cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH", "LABEL_STUDIO"))}
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def one_line(out: subprocess.CompletedProcess[str], code: int, *parts: str) -> str:
    assert out.returncode == code, out.stderr
    assert out.stdout == "" and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    for part in parts:
        assert part in lines[0]
    return lines[0]


def rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        found = {n: sorted(map(tuple, conn.execute(sa.select(t)))) for n, t in meta.tables.items()}
    engine.dispose()
    return found


def test_a_database_that_is_not_a_store_is_refused_and_left_alone(
    store_url: str, tmp_path: Path
) -> None:
    engine = sa.create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE users (id integer, email varchar(40))"))
        conn.execute(sa.text("INSERT INTO users VALUES (1, 'a@example.org')"))
    engine.dispose()
    before = rows(store_url)
    for args in (["status"], ["db", "upgrade"], ["ingest", "nothing.txt"]):
        out = cli(tmp_path, "--database-url", store_url, *args)
        one_line(out, 5, "is not a workbench store", "users")
    assert rows(store_url) == before == {"users": [(1, "a@example.org")]}


def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "workbench.toml"
    path.write_text("[workbench]\n")
    with pytest.raises(StoreError) as info:
        open_store(f"sqlite:///{path}")
    assert info.value.message.endswith(": file is not a database")
    assert path.read_text() == "[workbench]\n"


@pytest.fixture
def pushed(
    label_studio: ServerInfo,
    ls_client: LabelStudioClient,
    store: Store,
    store_url: str,
    seeds_dir: Path,
    tmp_path: Path,
) -> str:
    corpus.ingest(store, [seeds_dir / "000_1529a53a06acd3c3.txt"])
    corpus.segment(store)
    settings = settings_for(label_studio, store_url, tmp_path)
    push(settings, store, load_schema(SCHEMA), ls_client)
    return settings.dataset


def test_a_mistyped_dataset_or_url_names_the_store_or_server(
    label_studio: ServerInfo, pushed: str, store_url: str, tmp_path: Path
) -> None:
    env = {
        "WORKBENCH_DATABASE_URL": store_url,
        "LABEL_STUDIO_URL": label_studio.url,
        "LABEL_STUDIO_API_KEY": label_studio.token,
    }
    where = sa.make_url(store_url).render_as_string(hide_password=True).split("?")[0]
    before = rows(store_url)
    typo = pushed[:-1]
    line = one_line(cli(tmp_path, "pull", "--dataset", typo, **env), 4, f"no dataset {typo!r}")
    assert repr(pushed) in line and where.split("///")[-1] in line
    assert label_studio.token not in line and "push" not in line  # no project for a typo
    one_line(cli(tmp_path, "export", typo, **env), 11, f"no dataset {typo!r}", repr(pushed))
    for command in ("status", "problems"):  # not "no datasets yet" / no problems, exit 0
        one_line(cli(tmp_path, command, "--dataset", typo, **env), 4, f"no dataset {typo!r}")
    for command in ("reconcile", "agreement", "disagreements"):  # not "bad input file", 3
        one_line(cli(tmp_path, command, "--dataset", typo, **env), 4, f"no dataset {typo!r}")
    # a URL with a path too many: its page is a 404, which is not "project not found"
    env["LABEL_STUDIO_URL"] = f"{label_studio.url}/labelstudio"
    line = one_line(cli(tmp_path, "pull", "--dataset", pushed, **env), 6, "no Label Studio API")
    assert f"{label_studio.url}/labelstudio (HTTP 404)" in line
    assert rows(store_url) == before


def test_the_wrong_folder_says_where_and_creates_no_project(
    label_studio: ServerInfo, ls_client: LabelStudioClient, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"LABEL_STUDIO_URL": label_studio.url, "LABEL_STUDIO_API_KEY": label_studio.token}
    projects = [p.id for p in ls_client.list_projects()]
    store = str(elsewhere / ".workbench" / "workbench.db")
    one_line(cli(elsewhere, "push", **env), 4, "no workbench store", store, "workbench ingest")
    one_line(cli(elsewhere, "pull", **env), 4, "no workbench store", store)
    one_line(cli(elsewhere, "pull"), 4, "no workbench store", store)
    assert not (elsewhere / ".workbench").exists()  # nothing left behind in the wrong folder
    assert [p.id for p in ls_client.list_projects()] == projects


def test_push_of_segments_of_another_unit_creates_no_project(
    label_studio: ServerInfo,
    ls_client: LabelStudioClient,
    store: Store,
    store_url: str,
    seeds_dir: Path,
    tmp_path: Path,
) -> None:
    corpus.ingest(store, [seeds_dir / "000_1529a53a06acd3c3.txt"])
    corpus.segment(store, unit="sentence")
    settings = settings_for(label_studio, store_url, tmp_path)
    projects = [p.id for p in ls_client.list_projects()]
    before = rows(store_url)
    with pytest.raises(ConfigError, match=r"no paragraph segments \(only \d+ sentence segments\)"):
        push(settings, store, load_schema(SCHEMA), ls_client)
    assert [p.id for p in ls_client.list_projects()] == projects
    assert rows(store_url) == before


def test_ctrl_c_on_a_pull_waiting_for_the_lock_says_interrupted(
    label_studio: ServerInfo, pushed: str, store: Store, store_url: str, tmp_path: Path
) -> None:
    """The second of two pulls, told to wait for the first (WORKBENCH_LOCK_WAIT), is given up
    with ctrl-c: exit 130, "interrupted" (not Click's "aborted"), the store as it was."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH", "LABEL_STUDIO"))},
        "WORKBENCH_DATABASE_URL": store_url,
        "WORKBENCH_DATASET": pushed,
        "WORKBENCH_LOCK_WAIT": "120",
        "LABEL_STUDIO_URL": label_studio.url,
        "LABEL_STUDIO_API_KEY": label_studio.token,
    }
    before = {k: v for k, v in rows(store_url).items() if k != "locks"}
    with operation_lock(store, pushed, "pull"):
        waiting = subprocess.Popen(
            [sys.executable, "-m", "workbench", "-v", "pull"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # as from a terminal: a runner started in the background ignores SIGINT, and a
            # child would inherit that (Python then installs no KeyboardInterrupt handler)
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        assert waiting.stderr is not None
        seen = ""
        while "whoami" not in seen:  # connected to Label Studio: next comes the lock
            line = waiting.stderr.readline()
            assert line, seen
            seen += line
        time.sleep(2)
        assert waiting.poll() is None  # still waiting for our lock
        waiting.send_signal(signal.SIGINT)
        out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 130 and out == ""
    assert err.strip().splitlines()[-1] == "error: interrupted" and "Traceback" not in err
    assert {k: v for k, v in rows(store_url).items() if k != "locks"} == before
    assert rows(store_url)["locks"] == []


def test_a_second_pull_says_nothing_is_new_and_status_gives_utc_times(
    label_studio: ServerInfo, pushed: str, store_url: str, tmp_path: Path
) -> None:
    env = {
        "WORKBENCH_DATABASE_URL": store_url,
        "WORKBENCH_DATASET": pushed,
        "LABEL_STUDIO_URL": label_studio.url,
        "LABEL_STUDIO_API_KEY": label_studio.token,
    }
    first, again = cli(tmp_path, "pull", **env), cli(tmp_path, "pull", **env)
    assert "nothing new" not in first.stdout and first.returncode == again.returncode == 0
    assert (
        "0 new, 0 revised, 0 deleted, 0 unchanged: nothing new since the last pull" in again.stdout
    )
    [status] = json.loads(cli(tmp_path, "status", "--json", **env).stdout)
    for key in ("last_pull_at", "last_full_pull_at"):
        assert datetime.fromisoformat(status[key]).utcoffset() == timedelta(0), status[key]
    assert cli(tmp_path, "problems", **env).stdout == "no quarantined annotations\n"  # no table
    text = cli(tmp_path, "status", **env).stdout
    assert f"last pull {status['last_pull_at'][:19]}+00:00" in text
