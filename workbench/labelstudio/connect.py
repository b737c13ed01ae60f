"""A Label Studio client from the settings: the local server's, or a remote one's."""

from __future__ import annotations

from workbench.config import Settings
from workbench.errors import ConfigError
from workbench.labelstudio.client import LabelStudioClient


def connect(settings: Settings, *, check: bool = True) -> LabelStudioClient:
    """A client for the configured Label Studio; `check` verifies reachability and the token."""
    if not settings.label_studio_url:
        raise ConfigError(
            f"no Label Studio configured (no LABEL_STUDIO_URL, no local server in "
            f"{settings.home}): run `workbench server start`, or set LABEL_STUDIO_URL and "
            "LABEL_STUDIO_API_KEY"
        )
    if not settings.label_studio_api_key:
        raise ConfigError(
            f"no API token for Label Studio at {settings.label_studio_url}: set "
            "LABEL_STUDIO_API_KEY"
        )
    client = LabelStudioClient(settings.label_studio_url, settings.label_studio_api_key.reveal())
    if check:
        client.check()
    return client
