"""pytest fixtures for tests against the throwaway Oscar shop.

Use them from a test module with `pytest_plugins = ["tests.oscar.fixtures"]`. The shop is built
once per test session; every test that asks for `oscar_site` gets its own copy (database,
search index, media) served on its own port, so tests may place orders or change data freely.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.once import shared_folder_once
from tests.oscar.oscar_site import DEFAULT_CUSTOMER, OscarSite, oscar_available

OSCAR_CUSTOMER = DEFAULT_CUSTOMER


@pytest.fixture(scope="session")
def oscar_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of a freshly built, not running Oscar site (built once per session)."""
    if not oscar_available():
        pytest.skip("django-oscar is not installed; run: .venv/bin/pip install -e '.[oscar]'")
    folder, _ = shared_folder_once(
        tmp_path_factory,
        "oscar-build",
        lambda workdir: OscarSite(workdir, customer=OSCAR_CUSTOMER).build(),
    )
    return folder


@pytest.fixture
def oscar_site(oscar_build: Path, tmp_path: Path) -> Iterator[OscarSite]:
    """A running private copy of the session's Oscar site."""
    with OscarSite(tmp_path / "oscar", customer=OSCAR_CUSTOMER, prebuilt=oscar_build) as site:
        yield site
