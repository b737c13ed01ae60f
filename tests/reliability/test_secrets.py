"""The Label Studio API token never leaks: not in output or logs (also with --verbose), not in
a traceback (an unexpected exception is forced), not in the store (every table dumped), not in
a release (every file, Parquet read back as text); the local config holding it is mode 0600;
a wrong token is "authentication failed" without echoing it."""

from __future__ import annotations

import io
import json
import logging
import os
import stat
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import reliability_helpers as rh
from reliability_helpers import Stages

from workbench.config import Secret, load_settings, write_local_config
from workbench.labelstudio.client import LabelStudioClient
from workbench.labelstudio.server import ServerInfo
from workbench.logging import RedactingFilter, redact
from workbench.samples import load_samples
from workbench.store import open_store


def _release_text(folder: Path) -> str:
    parts = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            parts.append(path.read_bytes().decode("utf-8", errors="replace"))
            if path.suffix == ".parquet":
                parts.append(json.dumps(pq.read_table(path).to_pylist(), default=str))
    return "\n".join(parts)


@pytest.mark.labelstudio
def test_token_never_leaks_through_the_whole_flow(
    stages: Stages, label_studio: ServerInfo, ls_client: LabelStudioClient, tmp_path: Path
) -> None:
    token = label_studio.token
    db = rh.copy_sqlite(stages.seeded, tmp_path / "store.db")
    url = rh.sqlite_url(db)
    dataset = rh.unique("secret")
    exports = tmp_path / "exports"
    env = rh.cli_env(url, dataset=dataset, ls_url=label_studio.url, token=token, exports=exports)
    outputs = []

    def cli(*args: str) -> None:
        out = rh.run_cli(["--verbose", *args], env, tmp_path)
        assert out.returncode == 0, out.stderr
        outputs.append(out.stdout + out.stderr)

    cli("push")
    store = open_store(url)
    load_samples(store, ls_client, rh.schema(), dataset, rh.SAMPLES)
    store.close()
    cli("pull")
    cli("status")
    cli("reconcile")
    cli("export")
    cli("releases")

    assert any("INFO" in o for o in outputs)  # --verbose did log
    for text in outputs:
        assert token not in text
    assert token not in rh.dump_text(url)
    releases = list((exports / dataset).iterdir())
    assert [p.name for p in releases] == ["v0001"]
    assert token not in _release_text(releases[0])


@pytest.mark.parametrize("verbose", [False, True], ids=["plain", "verbose"])
def test_unexpected_exception_is_one_line_and_its_traceback_is_redacted(
    tmp_path: Path, verbose: bool
) -> None:
    token = "tok_" + "7" * 32
    env = rh.cli_env(
        rh.sqlite_url(tmp_path / "store.db"),
        ls_url="http://127.0.0.1:9",
        token=token,
        fault={"raise_on_check": f"the server said: bad token {token}"},
    )
    args = ["--verbose"] if verbose else []
    out = rh.run_cli([*args, "annotators", "list"], env, tmp_path, faulty=True)
    assert out.returncode == 1
    assert token not in out.stdout + out.stderr
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("error: internal error: RuntimeError: the server said: bad token ***")
    if verbose:
        assert "Traceback (most recent call last)" in out.stderr
        assert "raise RuntimeError(message)" in out.stderr
    else:
        assert last.endswith("(run with --verbose for the traceback)")
        assert len(out.stderr.strip().splitlines()) == 1


@pytest.mark.labelstudio
@pytest.mark.parametrize("verbose", [False, True], ids=["plain", "verbose"])
def test_wrong_token_is_authentication_failed_without_the_token(
    label_studio: ServerInfo, tmp_path: Path, verbose: bool
) -> None:
    wrong = "wrong" + "9" * 35
    env = rh.cli_env(rh.sqlite_url(tmp_path / "store.db"), ls_url=label_studio.url, token=wrong)
    args = ["--verbose"] if verbose else []
    for command in (["annotators", "list"], ["pull"], ["push"]):
        out = rh.run_cli([*args, *command], env, tmp_path)
        assert out.returncode in (4, 7), (command, out.stderr)
        if out.returncode == 7:
            assert "authentication failed" in out.stderr
        assert wrong not in out.stdout + out.stderr and "Traceback" not in out.stderr
        assert label_studio.token not in out.stdout + out.stderr


def test_local_config_is_mode_0600_even_when_it_was_not(tmp_path: Path) -> None:
    home = tmp_path / ".workbench"
    home.mkdir()
    (home / "config.json").write_text("{}")
    os.chmod(home / "config.json", 0o644)
    old = os.umask(0o000)
    try:
        path = write_local_config(home, {"label_studio_api_key": Secret("tok_" + "1" * 30)})
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    settings = load_settings({}, cwd=tmp_path, environ={})
    assert "1" * 30 not in repr(settings) + str(settings.label_studio_api_key)


def test_log_records_and_their_tracebacks_are_redacted() -> None:
    token = Secret("tok_" + "5" * 30).reveal()  # every Secret registers itself
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("workbench.test.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("calling with %s", token)
        try:
            raise ValueError(f"server echoed {token}")
        except ValueError:
            logger.exception("failed: %r", {"Authorization": f"Token {token}"})
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert token not in text
    assert "calling with ***" in text and "server echoed ***" in text
    assert redact(f"x{token}y") == "x***y"
