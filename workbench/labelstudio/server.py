"""A local Label Studio server: the workbench's embedded default.

``start`` runs it detached, bound to 127.0.0.1 only, with its database (SQLite, or the
PostgreSQL database the data dir is bound to: ``database.py``), media, secret key, log, pidfile
and a small state file inside ``data_dir``; ``stop`` only ever kills the process it started
(checked through ``/proc/<pid>/cmdline``). The admin password and API token reach Label Studio
through environment variables: never on a command line (``ps`` shows it to every user), never
in the state file or a log.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from workbench.config import write_private_json
from workbench.errors import AuthenticationError, ConfigError, LabelStudioError
from workbench.labelstudio import database as ls_database
from workbench.labelstudio.database import PostgresDatabase
from workbench.labelstudio.install import (
    LABEL_STUDIO_VERSION,
    file_lock,
    install,
    ls_command,
    ls_env,
    seed_database,
)
from workbench.labelstudio.provision import check_token, recover_token
from workbench.processes import pid_alive

DEFAULT_USERNAME = "admin@workbench.local"
HOST = "127.0.0.1"

PIDFILE_NAME = "label-studio.pid"
STATE_NAME = "label-studio.json"
LOG_NAME = "label-studio.log"
LOCK_NAME = ".label-studio.lock"
_POLL_SECONDS = 0.5
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerInfo:
    """How to reach a running local Label Studio. ``repr`` never shows the password or token."""

    url: str
    username: str
    password: str = field(repr=False)  # "" when unknown (restart of an existing data dir)
    token: str = field(repr=False)
    pid: int | None
    data_dir: Path
    database: str = "sqlite"  # Label Studio's own database, without its password
    already_running: bool = False

    def login_lines(self) -> list[str]:
        return [
            f"Label Studio: {self.url} (its database: {self.database})",
            f"  admin login: {self.username} / {self.password or '(unchanged)'}",
            "  annotators: `workbench annotators add EMAIL...` creates accounts and prints "
            "their passwords",
        ]


@dataclass(frozen=True)
class ServerStatus:
    running: bool  # our label-studio process is alive
    pid: int | None
    url: str | None
    healthy: bool  # GET /health/ answered
    data_dir: Path


# --------------------------------------------------------------------------- processes


def _cmdline(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        try:  # no /proc (macOS): ask ps
            ps = ["ps", "-o", "command=", "-p", str(pid)]
            out = subprocess.run(ps, capture_output=True, text=True, check=False).stdout
        except OSError:
            return None
        return out.split() if out.strip() else None
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def _is_ours(pid: int, data_dir: Path) -> bool:
    """Is ``pid`` the label-studio server we started for ``data_dir``?"""
    args = _cmdline(pid) or []
    return any("label-studio" in arg for arg in args) and str(data_dir) in args


def _our_pid(data_dir: Path) -> int | None:
    """The pid of our running server for ``data_dir``; clears a stale pidfile."""
    try:
        pid = int((data_dir / PIDFILE_NAME).read_text().strip())
    except (OSError, ValueError):
        return None
    if pid_alive(pid) and _is_ours(pid, data_dir):
        return pid
    with contextlib.suppress(OSError):
        (data_dir / PIDFILE_NAME).unlink()
    return None


def read_state(data_dir: Path) -> dict[str, Any]:
    """The state file of ``data_dir`` (url, port, admin, pid, database without password…)."""
    try:
        data = json.loads((data_dir.expanduser().resolve() / STATE_NAME).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _kill(pid: int, timeout: float) -> None:
    """SIGTERM the process group led by ``pid`` (or just ``pid``), SIGKILL after ``timeout``."""
    try:
        pgid = os.getpgid(pid)
    except ProcessLookupError:
        return
    kill = os.killpg if pgid == pid else os.kill  # start() made it a session (group) leader
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and pid_alive(pid):
            time.sleep(0.1)
        if not pid_alive(pid):
            return


# --------------------------------------------------------------------------- http probes


def _get(url: str, token: str | None = None, timeout: float = 5.0) -> int:
    """HTTP status of GET ``url`` (0 when nothing answered); no proxy (it is 127.0.0.1)."""
    headers = {} if token is None else {"Authorization": f"Token {token}"}
    try:
        answer = httpx.get(
            url, headers=headers, timeout=timeout, trust_env=False, follow_redirects=True
        )
    except (httpx.HTTPError, httpx.InvalidURL, OSError):
        return 0
    return answer.status_code


def _healthy(url: str, timeout: float = 5.0) -> bool:
    return _get(f"{url}/health/", timeout=timeout) == 200


def _auth_status(url: str, token: str) -> int:
    return _get(f"{url}/api/projects/?page_size=1", token=token, timeout=30.0)


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((HOST, port)) == 0


def _rotate_log(log: Path, max_bytes: int = 10 * 1024 * 1024) -> None:
    """Keep one previous log: Label Studio logs every request (twice)."""
    with contextlib.suppress(OSError):
        if log.stat().st_size > max_bytes:
            log.replace(log.with_name(log.name + ".1"))


def _log_tail(log: Path, lines: int = 5) -> str:
    try:
        text = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text[-lines:] if line.strip())


# --------------------------------------------------------------------------- start/stop


def start(
    data_dir: Path,
    *,
    port: int | None = None,
    username: str = DEFAULT_USERNAME,
    password: str | None = None,
    token: str | None = None,
    timeout: float = 300,
    database: PostgresDatabase | None = None,
) -> ServerInfo:
    """Start (or find running) the local Label Studio for ``data_dir`` and wait until it serves.

    The first start creates the admin ``username`` with ``password`` and the legacy API
    ``token`` (random if None: store both, they are not kept here). Label Studio never changes
    an existing user's password or token: pass them back in later; a None token is read back
    (``label-studio user``), a None password is reported as "" (unknown). ``database``: run on
    PostgreSQL, binding the data dir to it (migrated before the start: minutes the first time).
    """
    version = LABEL_STUDIO_VERSION
    if token is not None:
        check_token(token)
    if port is not None and not 0 < port < 65536:
        raise ConfigError(f"invalid port {port}")
    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with file_lock(data_dir / LOCK_NAME):
        bound = ls_database.bind(data_dir, database)
        pid = _our_pid(data_dir)
        if pid is not None:
            return _attach(data_dir, pid, port, username, password, token, timeout)
        venv = install()
        existing = bound is not None or (data_dir / ls_database.SQLITE_NAME).exists()
        known = read_state(data_dir).get("username")
        if existing and known and known != username:
            raise ConfigError(f"the Label Studio data in {data_dir} belongs to admin {known}")
        if bound is not None:
            ls_database.check_reachable(bound)
            logger.info(
                f"migrating Label Studio's database {bound.display} (the first time: minutes)"
            )
        user_exists = existing
        if bound is not None or (token is None and existing):
            stored = recover_token(venv, data_dir, username)  # migrates, then looks
            # no user yet: a data dir whose first start failed before creating it
            user_exists = stored is not None
            token = token or stored
        token = token or secrets.token_hex(20)
        if password is None:
            password = "" if user_exists else secrets.token_urlsafe(18)
        if not existing:
            seed_database(venv, data_dir)
        if port is None:
            port = free_port()
        elif _port_in_use(port):
            raise LabelStudioError(f"port {port} on {HOST} is already in use")
        url = f"http://{HOST}:{port}"
        log = data_dir / LOG_NAME
        options = ["--no-browser", "--internal-host", HOST, "--port", str(port)]
        options += ["--username", username, "--enable-legacy-api-token", "--log-level", "WARNING"]
        cmd = ls_command(venv, data_dir, "start", *options)
        env = ls_env(data_dir)
        # LS needs a password on every start (it crashes asking for one otherwise) but only uses
        # it when it creates the user: for an existing user any value is ignored.
        env["LABEL_STUDIO_PASSWORD"] = password or secrets.token_urlsafe(18)
        env["LABEL_STUDIO_USER_TOKEN"] = token
        logger.info(f"starting Label Studio {version} at {url} (log: {log})")
        _rotate_log(log)
        log_offset = log.stat().st_size if log.exists() else 0
        started = time.monotonic()
        with open(log, "ab") as out:
            out.write(f"\n===== workbench: starting Label Studio {version} at {url}\n".encode())
            out.flush()
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=data_dir,
                start_new_session=True,
                close_fds=True,
            )
        (data_dir / PIDFILE_NAME).write_text(f"{proc.pid}\n")
        write_private_json(
            data_dir / STATE_NAME,
            {
                "url": url,
                "port": port,
                "username": username,
                "pid": proc.pid,
                "version": version,
                "database": bound.display if bound is not None else "sqlite",
                "log_file": str(log),
                "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            },
        )
        try:
            _wait_ready(proc.pid, url, port, token, log, log_offset, started + timeout)
        except BaseException:
            _kill(proc.pid, 10)
            with contextlib.suppress(OSError):
                (data_dir / PIDFILE_NAME).unlink()
            raise
        logger.info(f"Label Studio ready at {url} after {time.monotonic() - started:.0f}s")
        return ServerInfo(url, username, password, token, proc.pid, data_dir)


def _wait_ready(
    pid: int, url: str, port: int, token: str, log: Path, log_offset: int, deadline: float
) -> None:
    while True:
        if not pid_alive(pid):
            tail = _log_tail(log)
            raise LabelStudioError(
                f"Label Studio exited during startup; see {log}" + (f": {tail}" if tail else "")
            )
        try:
            with open(log, "rb") as handle:
                handle.seek(log_offset)
                log_text = handle.read().decode(errors="replace")
        except OSError:
            log_text = ""
        if f"Port {port} is in use" in log_text:  # LS would silently move to the next port
            raise LabelStudioError(f"port {port} on {HOST} was taken during startup; try again")
        if _healthy(url, timeout=2.0):
            status = _auth_status(url, token)
            if status == 200:
                return
            if status in (401, 403):
                raise AuthenticationError(
                    f"Label Studio at {url} refused the API token: the data dir {log.parent} "
                    "was created with another token"
                )
        if time.monotonic() > deadline:
            raise LabelStudioError(f"Label Studio did not become ready in time; see {log}")
        time.sleep(_POLL_SECONDS)


def _attach(
    data_dir: Path,
    pid: int,
    port: int | None,
    username: str,
    password: str | None,
    token: str | None,
    timeout: float,
) -> ServerInfo:
    """``start`` on a running server: check it and hand back its info."""
    state = read_state(data_dir)
    url = str(state.get("url") or "")
    if not url:
        raise LabelStudioError(
            f"Label Studio (pid {pid}) runs for {data_dir} but its state is lost"
        )
    if port is not None and state.get("port") != port:
        raise LabelStudioError(
            f"Label Studio for {data_dir} already runs at {url}; stop it first to change the port"
        )
    if state.get("username") and state.get("username") != username:
        raise ConfigError(f"Label Studio for {data_dir} runs with admin {state['username']}")
    if token is None:
        token = recover_token(install(), data_dir, username)
        if token is None:
            raise ConfigError(f"no Label Studio user {username} in {data_dir}")
    deadline = time.monotonic() + timeout
    while not _healthy(url, timeout=2.0):  # maybe another start() is still waiting for it
        if time.monotonic() > deadline or not pid_alive(pid):
            raise LabelStudioError(
                f"Label Studio (pid {pid}) at {url} does not answer; see {data_dir / LOG_NAME}"
            )
        time.sleep(_POLL_SECONDS)
    if _auth_status(url, token) in (401, 403):
        raise AuthenticationError(f"Label Studio at {url} refused the API token given for it")
    return ServerInfo(url, username, password or "", token, pid, data_dir)


def status(data_dir: Path) -> ServerStatus:
    """Is our server for ``data_dir`` running, and does it answer?"""
    data_dir = data_dir.expanduser().resolve()
    pid = _our_pid(data_dir)
    state = read_state(data_dir)
    url = str(state["url"]) if pid is not None and state.get("url") else None
    healthy = url is not None and _healthy(url, timeout=3.0)
    return ServerStatus(pid is not None, pid, url, healthy, data_dir)


def stop(data_dir: Path, timeout: float = 30) -> bool:
    """Stop the server started for ``data_dir``. False when none of ours was running.

    Only a pid from ``data_dir``'s pidfile whose command line is label-studio with this data
    dir is signalled (its process group: SIGTERM, then SIGKILL after ``timeout``).
    """
    data_dir = data_dir.expanduser().resolve()
    if not data_dir.is_dir():
        return False
    with file_lock(data_dir / LOCK_NAME):
        pid = _our_pid(data_dir)
        if pid is None:
            return False
        _kill(pid, timeout)
        if pid_alive(pid):
            raise LabelStudioError(f"could not stop Label Studio (pid {pid})")
        with contextlib.suppress(OSError):
            (data_dir / PIDFILE_NAME).unlink()
        state = read_state(data_dir)
        if state:
            state["pid"] = None
            write_private_json(data_dir / STATE_NAME, state)
        return True
