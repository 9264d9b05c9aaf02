from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.audit import Source, audit_context
from tests.personas import World, build_world

# One live server and one browser per session for every app's browser journeys.
pytest_plugins = ["tests.browser.fixtures"]


def pytest_configure(config: pytest.Config) -> None:
    """A fresh clone has only the .po catalogues: compile the stale ones before any test translates."""
    from core.startup import compile_stale_catalogues

    compile_stale_catalogues()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The organisation structure and the fixed personas exist in every test, built once."""
    with django_db_blocker.unblock():
        build_world()


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _audit_context() -> Iterator[None]:
    # Services refuse to write outside an audit context; tests act as a command-line caller
    # unless they go through the web client or the API (which set their own context).
    with audit_context(source=Source.COMMAND):
        yield


@pytest.fixture(autouse=True)
def _clear_policy_cache() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_chain_anchor() -> Iterator[None]:
    # The anchor file outlives the test's rolled-back transaction: a checkpoint one test wrote would describe
    # events the next test never saw. Each test starts without one.
    from core.anchor import anchor_path

    anchor_path().unlink(missing_ok=True)
    yield
    anchor_path().unlink(missing_ok=True)
