"""Every list that takes its unfiltered total from maintained counts (``scope_total``, core.paging) says the number of
rows it actually holds, for every persona: the page's and the API's base queryset, counted directly."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client, RequestFactory

from core.audit import Source, audit_context
from core.listing import ScopedListView
from core.scoping import scope_for
from hazards.tests.factories import enterprise_hazard, place_hazard
from tests.personas import USERS, World

pytestmark = pytest.mark.django_db


def _subclasses(cls: type) -> set[type]:
    found, todo = set(), [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            found.add(sub)
    return found


def total_pages() -> list[type[ScopedListView]]:
    for config in apps.get_app_configs():
        if config.path.startswith(str(settings.BASE_DIR)) and ".venv" not in config.path:
            for module in ("views", "api"):
                try:
                    importlib.import_module(f"{config.name}.{module}")
                except ModuleNotFoundError:
                    pass
    return sorted((c for c in _subclasses(ScopedListView) if c.scope_total is not None), key=lambda c: c.__name__)


def total_endpoints() -> list[tuple[str, Any]]:
    from anzhi.api import router

    return [(prefix, viewset) for prefix, viewset, _ in router.registry if getattr(viewset, "scope_total", None)]


@pytest.fixture
def filled(world: World) -> World:
    with audit_context(source=Source.COMMAND):
        enterprise_hazard(world)
        enterprise_hazard(world, actor_key="enterprise_b", enterprise_key="ent_b1")
        place_hazard(world)
    return world


def test_the_lists_with_a_known_total_are_found() -> None:
    assert {c.__name__ for c in total_pages()} >= {"HazardListView", "EnterpriseListView"}
    assert {p for p, _ in total_endpoints()} >= {"hazards", "enterprises"}


@pytest.mark.parametrize("persona", sorted(USERS))
def test_an_unfiltered_list_total_is_what_it_holds(filled: World, persona: str) -> None:
    user = filled.user(persona)
    request = RequestFactory().get("/")
    request.user = user
    for cls in total_pages():
        view = cls()
        view.setup(request)
        total = cls.scope_total(user)
        assert total == view.base_queryset().count() or (total is None and scope_for(user).grantee_id is not None), \
            (cls.__name__, persona)
    client = Client()
    client.force_login(user)
    for prefix, viewset in total_endpoints():
        answer = client.get(f"/api/v1/{prefix}/")
        if answer.status_code in (403, 404):
            continue
        view = viewset(format_kwarg=None, action="list", action_map={"get": "list"}, kwargs={}, args=())
        view.request = view.initialize_request(request)
        direct = view.get_queryset().count()
        total = viewset.scope_total(user)
        assert answer.json()["total"] == total and (total == direct or (total is None and scope_for(user).grantee_id)), \
            (prefix, persona)
