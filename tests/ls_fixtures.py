"""Pytest plugin: a real Label Studio server for the test session.

Register it once in ``tests/conftest.py`` with ``pytest_plugins = ["ls_fixtures"]`` (``tests/``
has no ``__init__.py``, so pytest puts it on ``sys.path``); a test module may also name it in
its own ``pytest_plugins`` — pytest registers a plugin only once, so both can coexist.

The server is started by the same ``workbench.labelstudio.server.start`` the CLI uses, in a
temporary data dir on a free 127.0.0.1 port, and stopped at the end of the session. The first
run on a machine installs Label Studio (minutes) and migrates a template database (~1 min);
after that the session fixture costs ~5-10 s.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from workbench.labelstudio import server
from workbench.labelstudio.client import LabelStudioClient

# a small config for tests: spans + a segment-level choice
SMALL_LABEL_CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Labels name="span" toName="text">
    <Label value="Source"/>
    <Label value="Claim"/>
  </Labels>
  <Choices name="sentiment" toName="text" choice="single">
    <Choice value="negative"/>
    <Choice value="neutral"/>
    <Choice value="positive"/>
  </Choices>
</View>"""


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[server.ServerInfo]:
    """A running local Label Studio (``ServerInfo``: url, username, password, token, pid)."""
    data_dir = tmp_path_factory.mktemp("label-studio")
    with pytest.MonkeyPatch.context() as env:
        # Local storage, for the test of a target storage's folder (`pull --from-file DIR`)
        env.setenv("LOCAL_FILES_SERVING_ENABLED", "true")
        env.setenv("LOCAL_FILES_DOCUMENT_ROOT", str(tmp_path_factory.getbasetemp()))
        info = server.start(data_dir, timeout=600)
    try:
        yield info
    finally:
        server.stop(data_dir)


@pytest.fixture(scope="session")
def ls_client(label_studio: server.ServerInfo) -> LabelStudioClient:
    """The workbench client on the session server, authenticated as its admin."""
    return LabelStudioClient(label_studio.url, label_studio.token)


@pytest.fixture(scope="session")
def ls_label_config() -> str:
    """``SMALL_LABEL_CONFIG``: Text ``text`` (``$text``), Labels ``span``, Choices ``sentiment``."""
    return SMALL_LABEL_CONFIG


# --------------------------------------------------------------------------- on PostgreSQL


@dataclass(frozen=True)
class PostgresLabelStudio:
    """A local Label Studio on its own fresh PostgreSQL database, started by the CLI."""

    url: str
    port: int
    token: str = field(repr=False)
    home: Path
    database_url: str = field(repr=False)  # with the password
    database_name: str
    password: str = field(repr=False)
    start_output: str  # stdout + stderr of `workbench server start --database …`
    admin_dsn: str  # libpq DSN of the database the test database was created from

    @property
    def data_dir(self) -> Path:
        return self.home / "label-studio"

    def connect(self) -> Any:
        """A psycopg connection to Label Studio's own database (to look behind the API)."""
        import psycopg

        return psycopg.connect(
            _libpq_dsn(self.admin_dsn, database=self.database_name), autocommit=True
        )


def _libpq_dsn(url: str, **changes: str) -> str:
    parsed = sa.engine.make_url(url).set(drivername="postgresql", **changes)
    return parsed.render_as_string(hide_password=False)


def workbench_cli(*args: str, home: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "LABEL_STUDIO_"))}
    return subprocess.run(
        [sys.executable, "-m", "workbench", "--home", str(home), *args],
        cwd=home.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def label_studio_pg(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[PostgresLabelStudio]:
    """`workbench server start --database postgresql://…` on a fresh database (dropped after).

    The URL carries a password (random; the test server trusts local connections, so any
    password works) that must never show in output, logs or state files."""
    import psycopg

    admin_url = os.environ.get(
        "WORKBENCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    try:
        admin = psycopg.connect(_libpq_dsn(admin_url), autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        problem = f"PostgreSQL at {admin_url} is unreachable: {str(exc).splitlines()[0]}"
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    name = f"ls_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    parsed = sa.engine.make_url(admin_url)
    password = str(parsed.password or f"pw-{secrets.token_hex(12)}")
    database_url = sa.engine.URL.create(
        "postgresql",
        username=parsed.username or "postgres",
        password=password,
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        database=name,
    ).render_as_string(hide_password=False)
    home = tmp_path_factory.mktemp("ls-pg") / "home"
    try:
        out = workbench_cli("server", "start", "--database", database_url, "--json", home=home)
        assert out.returncode == 0, out.stderr
        started = json.loads(out.stdout)
        config = json.loads((home / "config.json").read_text())
        yield PostgresLabelStudio(
            url=started["url"],
            port=int(started["url"].rsplit(":", 1)[1]),
            token=config["label_studio_api_key"],
            home=home,
            database_url=database_url,
            database_name=name,
            password=password,
            start_output=out.stdout + out.stderr,
            admin_dsn=admin_url,
        )
    finally:
        workbench_cli("server", "stop", home=home, timeout=120)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def export_snapshot(client: LabelStudioClient, project_id: int) -> list[Any]:
    """A standard JSON export of every task, made as a team would in the UI (a snapshot, with
    annotators as objects carrying their email)."""
    from label_studio_sdk.types.serialization_options_request import SerializationOptionsRequest

    exports = client._sdk.projects.exports
    options = {"annotations__completed_by": {"only_id": False}, "predictions": {"only_id": False}}
    made = exports.create(
        project_id,
        title="workbench",
        serialization_options=SerializationOptionsRequest.model_validate(options),
        task_filter_options={"only_with_annotations": False},  # type: ignore[arg-type]
    )
    assert made.id is not None
    data = json.loads(b"".join(exports.download(project_id, made.id, export_type="JSON")))
    assert isinstance(data, list)
    return data


def export_json(client: LabelStudioClient, project_id: int) -> list[Any]:
    """The quick export (``/api/projects/{id}/export?exportType=JSON``): annotators as ids."""
    exports = client._sdk.projects.exports
    data = json.loads(
        b"".join(exports.download_sync(project_id, export_type="JSON", download_all_tasks=True))
    )
    assert isinstance(data, list)
    return data
