"""`workbench server start --database postgresql://…`: the local Label Studio on PostgreSQL.

Against the PostgreSQL server of this machine: a fresh database is migrated by the start, a
project made through the SDK lands in it (looked up behind the API), a restart without the
option stays on it, and the password in the URL shows nowhere.
"""

from __future__ import annotations

import json
import stat
import uuid
from pathlib import Path

import pytest
from ls_fixtures import SMALL_LABEL_CONFIG, PostgresLabelStudio, workbench_cli

from workbench.errors import ConfigError
from workbench.labelstudio.client import LabelStudioClient
from workbench.labelstudio.database import parse_database_url

pytestmark = [pytest.mark.labelstudio, pytest.mark.postgres]


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_server_runs_on_postgresql_and_stays_there(label_studio_pg: PostgresLabelStudio) -> None:
    from label_studio_sdk import LabelStudio

    ls = label_studio_pg
    display = f"postgresql://postgres@127.0.0.1:5432/{ls.database_name}"
    assert display in ls.start_output and ls.password not in ls.start_output
    data_dir = ls.data_dir
    assert not (data_dir / "label_studio.sqlite3").exists()  # nothing on SQLite
    binding = data_dir / "database.json"
    assert stat.S_IMODE(binding.stat().st_mode) == 0o600  # the one place that holds it
    for path in _files(ls.home):
        if path != binding:
            assert ls.password.encode() not in path.read_bytes(), path

    # a project made through the SDK is a row in the PostgreSQL database
    sdk = LabelStudio(base_url=ls.url, api_key=ls.token)  # type: ignore[no-untyped-call]
    title = f"pg {uuid.uuid4().hex[:8]}"
    project = sdk.projects.create(title=title, label_config=SMALL_LABEL_CONFIG)
    with ls.connect() as conn:
        rows = conn.execute("select id, title from project").fetchall()
    assert (project.id, title) in rows

    # stop, start again without --database: the same database, the same project
    stopped = workbench_cli("server", "stop", home=ls.home)
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    again = workbench_cli("server", "start", "--port", str(ls.port), "--json", home=ls.home)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["database"] == display
    assert ls.password not in again.stdout + again.stderr
    client = LabelStudioClient(ls.url, ls.token)
    assert title in {p.title for p in client.list_projects()}
    for path in _files(ls.home):  # the log of the second start too
        if path != binding:
            assert ls.password.encode() not in path.read_bytes(), path

    # an annotator's password is set in that database too (label-studio reset_password)
    email = f"ann-{uuid.uuid4().hex[:6]}@example.com"
    added = workbench_cli("annotators", "add", email, "--json", home=ls.home)
    assert added.returncode == 0, added.stderr
    (new,) = json.loads(added.stdout)
    assert new["created"] and new["password"]
    with ls.connect() as conn:
        (hashed,) = conn.execute(
            "select password from htx_user where email = %s", (email,)
        ).fetchone()
    assert hashed.startswith("pbkdf2_")  # a usable password, not Django's "!" unusable mark

    # the home's Label Studio keeps its database: another one is refused, password unshown
    other = ls.database_url.replace(ls.database_name, ls.database_name + "_other")
    refused = workbench_cli("server", "start", "--database", other, home=ls.home)
    assert refused.returncode == 4, refused.stderr
    assert "is on " + display in refused.stderr and ls.password not in refused.stderr
    assert refused.stderr.strip().splitlines()[-1].startswith("error: the Label Studio data in")
    assert "Traceback" not in refused.stderr


def test_bad_or_unreachable_database_is_one_line(tmp_path: Path) -> None:
    secret = "pw-" + uuid.uuid4().hex
    nothing_there = f"postgresql://someone:{secret}@127.0.0.1:9/ls"  # discard port: no server
    out = workbench_cli("server", "start", "--database", nothing_there, home=tmp_path / "h1")
    assert out.returncode == 6, out.stderr
    assert "postgresql://someone@127.0.0.1:9/ls is not usable" in out.stderr
    assert secret not in out.stdout + out.stderr
    assert [ln for ln in out.stderr.splitlines() if ln.startswith("error")] == [
        out.stderr.strip().splitlines()[-1]
    ]
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "h1" / "label-studio" / "database.json").exists()  # not bound to it

    wrong_kind = f"mysql://root:{secret}@127.0.0.1/ls"
    out = workbench_cli("server", "start", "--database", wrong_kind, home=tmp_path / "h2")
    assert out.returncode == 4 and "'mysql' is not supported" in out.stderr
    assert secret not in out.stdout + out.stderr


def test_database_url_parsing() -> None:
    db = parse_database_url(
        "postgresql+psycopg://ann:p%40ss@db.example.org:6543/ls?sslmode=require"
    )
    assert (db.user, db.password, db.host, db.port, db.name) == (
        "ann",
        "p@ss",
        "db.example.org",
        6543,
        "ls",
    )
    assert db.display == "postgresql://ann@db.example.org:6543/ls?sslmode=require"
    assert "p@ss" not in repr(db)
    env = db.ls_env()
    assert env["DJANGO_DB"] == "default" and env["LABEL_STUDIO_POSTGRE_PASSWORD"] == "p@ss"
    assert env["PGSSLMODE"] == "require"
    for bad, message in [
        ("postgresql://u@h/", "names no database"),
        ("postgresql://u@h/db?application_name=x", "unsupported URL option"),
        ("not a url", "not a URL"),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_database_url(bad)
