"""Settings precedence and secrecy."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from workbench.config import Secret, load_settings, write_local_config
from workbench.errors import ConfigError


def test_defaults_put_sqlite_under_workbench_home(tmp_path: Path) -> None:
    s = load_settings(cwd=tmp_path, environ={})
    assert s.home == tmp_path / ".workbench"
    assert s.resolved_database_url == f"sqlite:///{tmp_path / '.workbench' / 'workbench.db'}"


def test_precedence_option_over_env_over_toml_over_local(tmp_path: Path) -> None:
    write_local_config(
        tmp_path / ".workbench",
        {"label_studio_url": "http://local", "label_studio_api_key": "tok-local"},
    )
    (tmp_path / "workbench.toml").write_text(
        '[workbench]\nlabel_studio_url = "http://toml"\ndataset = "fromtoml"\n'
    )
    env = {"LABEL_STUDIO_URL": "http://env", "WORKBENCH_DATASET": "fromenv"}
    s = load_settings({"dataset": "fromopt"}, cwd=tmp_path, environ=env)
    assert s.label_studio_url == "http://env"
    assert s.dataset == "fromopt"
    assert s.label_studio_api_key == Secret("tok-local")
    s2 = load_settings(cwd=tmp_path, environ={})
    assert s2.label_studio_url == "http://toml"


def test_token_never_shows(tmp_path: Path) -> None:
    s = load_settings(cwd=tmp_path, environ={"LABEL_STUDIO_API_KEY": "supersecrettoken123"})
    assert s.label_studio_api_key is not None
    assert s.label_studio_api_key.reveal() == "supersecrettoken123"
    assert "supersecrettoken123" not in repr(s)
    assert "supersecrettoken123" not in str(s.label_studio_api_key)
    assert "supersecrettoken123" not in f"{s.label_studio_api_key}"


def test_local_config_is_private(tmp_path: Path) -> None:
    path = write_local_config(tmp_path, {"label_studio_api_key": Secret("x" * 40)})
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "x" * 40 in path.read_text()  # stored for reuse, readable only by the owner


def test_unknown_toml_key_is_named(tmp_path: Path) -> None:
    (tmp_path / "workbench.toml").write_text("databse_url = 'x'\n")
    with pytest.raises(ConfigError, match="unknown setting 'databse_url'"):
        load_settings(cwd=tmp_path, environ={})


def test_broken_toml_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "workbench.toml").write_text("this is = = not toml\n")
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path, environ={})
    assert "workbench.toml" in info.value.message and "\n" not in info.value.message
