"""pytest fixtures for tests against the throwaway EverShop store.

Use them with `pytest_plugins = ["tests.evershop.fixtures"]`. The store (with its own
PostgreSQL) is built and served once per test session; tests must not change its data.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.evershop.evershop_site import DEFAULT_CUSTOMER, EverShopSite, evershop_available

EVERSHOP_CUSTOMER = DEFAULT_CUSTOMER


@pytest.fixture(scope="session")
def evershop_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EverShopSite]:
    """The running store, built once per session."""
    missing = evershop_available()
    if missing:
        pytest.skip(missing)
    with EverShopSite(tmp_path_factory.mktemp("evershop"), customer=EVERSHOP_CUSTOMER) as site:
        yield site
