"""Annotator accounts in Label Studio."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from workbench.config import Settings
from workbench.errors import InputError
from workbench.labelstudio import local, provision
from workbench.labelstudio.client import LabelStudioClient


@dataclass(frozen=True)
class NewAnnotator:
    email: str
    user_id: int
    created: bool
    # Shown once, when the account is created on the local server; None otherwise.
    password: str | None = field(default=None, repr=False)


def add(settings: Settings, client: LabelStudioClient, emails: list[str]) -> list[NewAnnotator]:
    """Create accounts; on the local server each new one gets a random password."""
    bad = [e for e in emails if "@" not in e or e.startswith("@") or e.endswith("@")]
    if bad:
        raise InputError(f"not an email address: {bad[0]!r}")
    can_set_password = local.is_local(settings)
    out = []
    for email in dict.fromkeys(e.strip().lower() for e in emails):
        existing = client.find_user(email)
        if existing is not None:
            out.append(NewAnnotator(email, existing.id, created=False))
            continue
        user = client.create_user(email)
        password = None
        if can_set_password:
            password = secrets.token_urlsafe(9)
            provision.set_user_password(local.data_dir(settings), email, password)
        out.append(NewAnnotator(email, user.id, created=True, password=password))
    return out


def list_all(client: LabelStudioClient) -> list[tuple[int, str]]:
    return sorted((u.id, u.email) for u in client.list_users())
