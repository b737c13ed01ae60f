"""Pytest plugin: a real Label Studio server for the test session.

Register it once in ``tests/conftest.py`` with ``pytest_plugins = ["ls_fixtures"]`` (``tests/``
has no ``__init__.py``, so pytest puts it on ``sys.path``); a test module may also name it in
its own ``pytest_plugins`` — pytest registers a plugin only once, so both can coexist.

The server is started by the same ``workbench.labelstudio.server.start`` the CLI uses, in a
temporary data dir on a free 127.0.0.1 port, and stopped at the end of the session. The first
run on a machine installs Label Studio (minutes) and migrates a template database (~1 min);
after that the session fixture costs ~5-10 s.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from workbench.labelstudio import server
from workbench.labelstudio.client import LabelStudioClient

# a small config for tests: spans + a segment-level choice
SMALL_LABEL_CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Labels name="span" toName="text">
    <Label value="Source"/>
    <Label value="Claim"/>
  </Labels>
  <Choices name="sentiment" toName="text" choice="single">
    <Choice value="negative"/>
    <Choice value="neutral"/>
    <Choice value="positive"/>
  </Choices>
</View>"""


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[server.ServerInfo]:
    """A running local Label Studio (``ServerInfo``: url, username, password, token, pid)."""
    data_dir = tmp_path_factory.mktemp("label-studio")
    info = server.start(data_dir, timeout=600)
    try:
        yield info
    finally:
        server.stop(data_dir)


@pytest.fixture(scope="session")
def ls_client(label_studio: server.ServerInfo) -> LabelStudioClient:
    """The workbench client on the session server, authenticated as its admin."""
    return LabelStudioClient(label_studio.url, label_studio.token)


@pytest.fixture(scope="session")
def ls_label_config() -> str:
    """``SMALL_LABEL_CONFIG``: Text ``text`` (``$text``), Labels ``span``, Choices ``sentiment``."""
    return SMALL_LABEL_CONFIG
