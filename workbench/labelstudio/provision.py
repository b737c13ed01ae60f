"""Users and tokens on the local Label Studio, through its own ``label-studio`` commands (what
the REST API of 1.23 cannot do: read a user's token back, set a login password)."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.errors import ConfigError, LabelStudioError
from workbench.labelstudio.install import install, run_ls


def check_token(token: str) -> None:
    # DRF's token key column is 40 characters; Label Studio ignores tokens of 5 or fewer.
    if not 6 <= len(token) <= 40 or not re.fullmatch(r"[A-Za-z0-9_\-]+", token):
        raise ConfigError("a Label Studio token must be 6-40 characters of [A-Za-z0-9_-]")


def recover_token(venv: Path, data_dir: Path, username: str) -> str | None:
    """The API token stored in ``data_dir`` for ``username``; None if there is no such user.
    (``label-studio user`` migrates the database first.)"""
    out = run_ls(venv, data_dir, "user", "--username", username)
    match = re.search(r"'token': '([^']+)'", out)
    return match.group(1) if match else None


def set_user_password(data_dir: Path, email: str, password: str) -> None:
    """Set a user's login password on the *local* server (its SQLite file, or the PostgreSQL
    database it is bound to), also while it runs. The password is briefly visible on the
    ``reset_password`` command line (Label Studio reads it nowhere else): for the throw-away
    local annotator accounts, not for shared servers."""
    if not password:
        raise ConfigError("an empty password cannot be set")
    data_dir = data_dir.expanduser().resolve()
    venv = install()
    # one argument each: a password that starts with "-" must not be read as an option
    out = run_ls(venv, data_dir, "reset_password", f"--username={email}", f"--password={password}")
    if "not found" in out:
        raise LabelStudioError(f"no Label Studio user {email} in {data_dir}")
    if "successfully changed" not in out and "same as current" not in out:
        raise LabelStudioError(
            f"label-studio reset_password for {email} did not confirm the change"
        )
