"""Runs from any folder: the packaged schema, its resolution order, and `workbench init`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.config import load_settings
from workbench.data import PACKAGED_GUIDELINES, PACKAGED_SCHEMA
from workbench.errors import ConfigError
from workbench.scaffold import init_folder

ROOT = Path(__file__).resolve().parent.parent
REPO_SCHEMAS = ROOT / "schemas"
SEED = ROOT / "seeds" / "004_6126446ed3470000.txt"


def _env() -> dict[str, str]:
    return {
        k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "LABEL_STUDIO_"))
    }


def _workbench_exe() -> str:
    """The console script of the interpreter running the tests (`.venv/bin/workbench`)."""
    exe = Path(sys.executable).parent / "workbench"
    found = str(exe) if exe.exists() else shutil.which("workbench")
    assert found, "the workbench console script is not installed next to the test interpreter"
    return found


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_workbench_exe(), *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_packaged_copy_is_the_repository_schema_byte_for_byte() -> None:
    # schemas/ is the copy one edits in a clone; the package ships the same bytes (links)
    assert PACKAGED_SCHEMA.read_bytes() == (REPO_SCHEMAS / PACKAGED_SCHEMA.name).read_bytes()
    guidelines = REPO_SCHEMAS / PACKAGED_GUIDELINES.name
    assert PACKAGED_GUIDELINES.read_bytes() == guidelines.read_bytes()


def test_default_schema_resolution_order(tmp_path: Path) -> None:
    # nothing in the folder: the packaged copy
    assert load_settings(cwd=tmp_path, environ={}).schema_path == PACKAGED_SCHEMA
    # a ./schemas/news-v1.yaml wins over the packaged copy
    local = tmp_path / "schemas" / "news-v1.yaml"
    local.parent.mkdir()
    local.write_bytes(PACKAGED_SCHEMA.read_bytes())
    assert load_settings(cwd=tmp_path, environ={}).schema_path == local
    # workbench.toml wins over ./schemas, the env var over the toml, an option over both
    (tmp_path / "workbench.toml").write_text('[workbench]\nschema_path = "mine.yaml"\n')
    assert load_settings(cwd=tmp_path, environ={}).schema_path == tmp_path / "mine.yaml"
    env = {"WORKBENCH_SCHEMA": "/elsewhere/s.yaml"}
    assert load_settings(cwd=tmp_path, environ=env).schema_path == Path("/elsewhere/s.yaml")
    given = {"schema_path": "opt.yaml"}
    assert load_settings(given, cwd=tmp_path, environ=env).schema_path == tmp_path / "opt.yaml"


def test_schema_validate_in_an_empty_folder_uses_the_packaged_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("WORKBENCH_SCHEMA", "WORKBENCH_HOME", "WORKBENCH_DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["schema", "validate"])
    assert result.exit_code == 0, result.output
    assert f"{PACKAGED_SCHEMA}: valid — news-v1" in result.output
    xml = CliRunner().invoke(cli, ["schema", "xml"])
    assert xml.exit_code == 0 and "<Labels" in xml.output

    out = _run("schema", "validate", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "valid — news-v1" in out.stdout and str(PACKAGED_SCHEMA) in out.stdout
    assert list(tmp_path.iterdir()) == []  # validating wrote nothing into the folder


def test_init_then_work_in_the_new_folder(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    out = _run("init", str(folder), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (folder / "workbench.toml").is_file() and (folder / "articles").is_dir()
    assert list((folder / "articles").iterdir()) == []
    assert (folder / "schemas" / "news-v1.yaml").read_bytes() == PACKAGED_SCHEMA.read_bytes()
    assert (folder / "schemas" / "news-v1.md").read_bytes() == PACKAGED_GUIDELINES.read_bytes()

    # the folder's own schema is the default there, and an edit to it is what gets validated
    edited = folder / "schemas" / "news-v1.yaml"
    edited.write_text(edited.read_text().replace('hotkey: "2"', 'hotkey: "1"'))
    bad = _run("schema", "validate", cwd=folder)
    assert bad.returncode == 4 and "hotkey" in bad.stderr and str(edited) in bad.stderr
    edited.write_bytes(PACKAGED_SCHEMA.read_bytes())
    good = _run("schema", "validate", cwd=folder)
    assert good.returncode == 0 and f"{edited}: valid" in good.stdout, good.stderr

    # articles/ is where files go: ingest + segment work from the folder
    shutil.copy(SEED, folder / "articles")
    ingest = _run("ingest", "articles", cwd=folder)
    assert ingest.returncode == 0 and "1 new" in ingest.stdout, ingest.stderr
    assert _run("segment", cwd=folder).returncode == 0
    assert (folder / ".workbench" / "workbench.db").is_file()


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    init_folder(tmp_path)
    toml = tmp_path / "workbench.toml"
    toml.write_text("# mine\n")
    out = _run("init", cwd=tmp_path)
    assert out.returncode == 4, out.stderr
    assert out.stderr.strip().splitlines() == [
        "error: workbench.toml: already exists (use --force to overwrite)"  # DIR is "."
    ]
    assert toml.read_text() == "# mine\n"  # nothing written
    with pytest.raises(ConfigError, match="already exists"):
        init_folder(tmp_path)
    forced = _run("init", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "[workbench]" in toml.read_text()
    # the starter toml is valid configuration and names the folder's schema
    settings = load_settings(cwd=tmp_path, environ={})
    assert settings.schema_path == tmp_path / "schemas" / "news-v1.yaml"


def test_built_wheel_carries_the_schema_and_runs_from_any_folder(tmp_path: Path) -> None:
    """Build the wheel, unpack it, and run the unpacked package (not the checkout) elsewhere."""
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheels)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("workbench-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert {"workbench/data/news-v1.yaml", "workbench/data/news-v1.md"} <= names
        archive.extractall(site)
    assert (site / "workbench/data/news-v1.yaml").read_bytes() == PACKAGED_SCHEMA.read_bytes()
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    env = {**_env(), "PYTHONPATH": str(site)}
    code = "import workbench, sys; print(workbench.__file__); sys.argv[0] = 'workbench'; "
    code += "from workbench.cli import main; main(['schema', 'validate'])"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.splitlines()[:2]
    assert first.startswith(str(site))  # the unpacked wheel, not the checkout
    assert second.startswith(f"{site / 'workbench' / 'data' / 'news-v1.yaml'}: valid")
