"""The workbench's embedded Label Studio: one local server per workbench home.

Its data lives in `<home>/label-studio/` (SQLite there, or a PostgreSQL database that folder is
bound to on the first `start --database URL`); its URL, API token and admin login are kept in
the local config (mode 0600), so later commands and restarts find them.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any

from workbench.config import Settings, read_local_config, write_local_config
from workbench.labelstudio import server
from workbench.labelstudio.database import parse_database_url


def data_dir(settings: Settings) -> Path:
    return settings.home / "label-studio"


def start(
    settings: Settings, *, port: int | None = None, database_url: str | None = None
) -> server.ServerInfo:
    """Start the local server (installing Label Studio on first use); a no-op when it runs.

    `database_url` (PostgreSQL) puts Label Studio's own data there instead of SQLite; the home's
    Label Studio stays bound to it, so later starts need not repeat it."""
    database = parse_database_url(database_url) if database_url else None
    stored: dict[str, Any] = read_local_config(settings.home)
    before = server.status(data_dir(settings))
    password = stored.get("admin_password") or secrets.token_urlsafe(12)
    info = server.start(
        data_dir(settings),
        port=port,
        username=stored.get("admin_email") or server.DEFAULT_USERNAME,
        password=password,
        token=stored.get("label_studio_api_key"),
        database=database,
    )
    write_local_config(
        settings.home,
        {
            "label_studio_url": info.url,
            "label_studio_api_key": info.token,
            "admin_email": info.username,
            "admin_password": password,  # what start() returns too: it was given one
        },
    )
    return replace(
        info,
        already_running=before.running and before.healthy,
        database=str(server.read_state(info.data_dir).get("database") or "sqlite"),
    )


def status(settings: Settings) -> server.ServerStatus:
    return server.status(data_dir(settings))


def stop(settings: Settings) -> bool:
    return server.stop(data_dir(settings))


def is_local(settings: Settings) -> bool:
    """Does the configured Label Studio URL point at this home's own local server?"""
    url = server.status(data_dir(settings)).url
    return bool(url) and (settings.label_studio_url or "").rstrip("/") == str(url).rstrip("/")
