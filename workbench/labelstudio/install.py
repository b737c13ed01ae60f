"""Label Studio in its own virtualenv (``<cache>/label-studio-<version>``), so its many pinned
dependencies never meet ours; the environment it runs in; its ``label-studio`` commands.

Everything that would phone home is switched off: the PyPI version check, the usage telemetry,
Sentry (an empty DSN disables it) and resource downloads by the export converter.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from workbench.errors import LabelStudioError
from workbench.labelstudio import database

LABEL_STUDIO_VERSION = "1.23.2"
INSTALL_MARKER = ".workbench-install-complete"
TEMPLATE_DB_NAME = "workbench-empty-db.sqlite3"
logger = logging.getLogger(__name__)

_LS_ENV = {
    "DJANGO_DB": "sqlite",
    "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
    "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
    "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
    "LABEL_STUDIO_COLLECT_ANALYTICS": "false",
    "LABEL_STUDIO_SENTRY_DSN": "",
    "LABEL_STUDIO_FRONTEND_SENTRY_DSN": "",
    "LABEL_STUDIO_CONVERTER_DOWNLOAD_RESOURCES": "false",
    "LABEL_STUDIO_DEBUG": "false",
    "PYTHONUNBUFFERED": "1",
}

# Label Studio reads each setting from LABEL_STUDIO_<NAME>, HEARTEX_<NAME> *or plain <NAME>*, so a
# stray HOST, DEBUG, DATABASE_NAME… in the caller's environment would reconfigure it. Drop those.
_LS_UNPREFIXED = frozenset(
    {"BASE_DATA_DIR", "DATABASE_NAME", "DJANGO_DB", "DJANGO_SETTINGS_MODULE", "DEBUG", "HOST",
     "PORT", "USERNAME", "PASSWORD", "USER_TOKEN", "LOG_LEVEL", "SENTRY_DSN", "FRONTEND_SENTRY_DSN",
     "COLLECT_ANALYTICS", "LATEST_VERSION_CHECK", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV",
     "POSTGRE_NAME", "POSTGRE_USER", "POSTGRE_PASSWORD", "POSTGRE_HOST", "POSTGRE_PORT"}
)  # fmt: skip


def clean_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LABEL_STUDIO_", "HEARTEX_")) and key not in _LS_UNPREFIXED
    }
    return {**env, **_LS_ENV}


def ls_env(data_dir: Path) -> dict[str, str]:
    """The environment of Label Studio for ``data_dir`` (its SQLite file, or the PostgreSQL
    database the data dir is bound to)."""
    env = {**clean_env(), "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir)}
    bound = database.read_binding(data_dir)
    return env if bound is None else {**env, **bound.ls_env()}


def executable(venv: Path) -> Path:
    return venv / "bin" / "label-studio"


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def install() -> Path:
    """Install Label Studio `LABEL_STUDIO_VERSION` into its own venv (once); the venv's path.

    A marker is written only once pip succeeded and ``label_studio.server`` imports with the
    right version. Without it the install is half-finished: pip runs again over the venv; if
    that does not make it usable, the venv is built from scratch. A file lock keeps two
    processes from installing at once; pip's output goes to ``<venv>.install.log``.
    """
    version = LABEL_STUDIO_VERSION
    cache = Path(os.environ.get("WORKBENCH_CACHE_DIR") or Path.home() / ".cache" / "workbench")
    venv = cache.expanduser() / f"label-studio-{version}"
    marker = venv / INSTALL_MARKER
    python = str(venv / "bin" / "python")

    def done() -> bool:
        with contextlib.suppress(OSError):
            return marker.read_text().strip() == version and executable(venv).exists()
        return False

    if done():
        return venv
    log = venv.with_name(venv.name + ".install.log")
    with file_lock(venv.with_name(venv.name + ".lock")):
        if done():
            return venv  # another process finished while we waited
        for attempt in ("repair", "fresh"):
            if attempt == "fresh" or not Path(python).exists():
                if venv.exists():
                    logger.info(f"removing incomplete Label Studio install at {venv}")
                    shutil.rmtree(venv)
                logger.info(f"creating virtualenv {venv}")
                _run_logged([sys.executable, "-m", "venv", str(venv)], log)
            else:
                logger.info(f"completing unfinished Label Studio install at {venv}")
            logger.info(
                f"installing label-studio=={version} (a few minutes the first time; log: {log})"
            )
            pip = [python, "-m", "pip", "install", "--disable-pip-version-check"]
            _run_logged([*pip, f"label-studio=={version}"], log, check=attempt == "fresh")
            if _installed_version(python) == version:
                marker.write_text(version + "\n")
                logger.info(f"Label Studio {version} installed in {venv}")
                return venv
        raise LabelStudioError(f"could not install label-studio=={version} into {venv}: see {log}")


def _installed_version(python: str) -> str | None:
    """The label-studio version importable by ``python``, or None when the venv is broken."""
    code = "import importlib.metadata as m, label_studio.server\nprint(m.version('label-studio'))"
    try:
        proc = subprocess.run(
            [python, "-c", code], capture_output=True, text=True, timeout=300, env=clean_env()
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip().splitlines()[-1] if proc.returncode == 0 and proc.stdout else None


def _run_logged(cmd: list[str], log: Path, *, check: bool = True) -> None:
    with open(log, "a") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        try:
            rc = subprocess.call(
                cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=clean_env()
            )
        except OSError as exc:
            rc = -1
            out.write(f"{exc}\n")
        out.write(f"rc={rc}\n")
    if rc != 0 and check:
        raise LabelStudioError(f"command failed ({cmd[0]} … exit {rc}): see {log}")


def ls_command(venv: Path, data_dir: Path, command: str, *args: str) -> list[str]:
    # options must follow the sub-command: argparse lets the sub-parser's defaults win
    return [str(executable(venv)), command, "--data-dir", str(data_dir), *args]


def run_ls(venv: Path, data_dir: Path, command: str, *args: str) -> str:
    """Run ``label-studio <command>`` on ``data_dir``'s database; its standard output."""
    try:
        proc = subprocess.run(
            ls_command(venv, data_dir, command, *args),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=ls_env(data_dir),
            cwd=data_dir,
            timeout=600,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LabelStudioError(f"label-studio {command} failed: {exc}") from None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise LabelStudioError(f"label-studio {command} failed (exit {proc.returncode}): {last}")
    return proc.stdout


def seed_database(venv: Path, data_dir: Path) -> None:
    """Give a new data dir an already migrated, empty SQLite database.

    Label Studio's ~250 migrations take 1-2 minutes on a fresh file: they run once per install
    into a template (``label-studio user`` migrates, finds no user and stops) that new data
    dirs copy; ``label-studio start`` then creates the admin, organization and token as usual.
    """
    template = venv / TEMPLATE_DB_NAME
    with file_lock(venv / (TEMPLATE_DB_NAME + ".lock")):
        if not template.exists():
            logger.info(
                "preparing Label Studio's database (migrations, once per install: 1-2 minutes)"
            )
            work = venv / "workbench-template-data"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(mode=0o700)
            try:
                run_ls(venv, work, "user", "--username", "nobody@workbench.invalid")
                built = work / database.SQLITE_NAME
                if not built.exists():
                    raise LabelStudioError(f"label-studio did not create {built}")
                shutil.copyfile(built, template.with_suffix(".tmp"))
                template.with_suffix(".tmp").replace(template)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    target = data_dir / database.SQLITE_NAME
    shutil.copyfile(template, target.with_suffix(".tmp"))
    os.chmod(target.with_suffix(".tmp"), 0o600)
    target.with_suffix(".tmp").replace(target)
