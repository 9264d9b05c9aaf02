"""Ids from query strings and URLs never reach the database unchecked (issue 9, item 5).

Every FilterSet of the project is found (subclass walk over every app's filters), every list that
uses one is found (the API router; the list pages declared by the URL patterns), and every filter
gets every hostile value: the API answers 400 naming the parameter for a bad id, a page drops that
filter with a message, and nothing is ever a 500. Detail URLs with ids no database can hold are 404.
"""

from __future__ import annotations

import importlib
import itertools
from typing import Any
from urllib.parse import quote

import django_filters
import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, reverse

from anzhi.api import router
from core import filters as core_filters
from core.listing import ScopedListView
from tests.personas import World
from tests.test_exports import _arg_values, _fetch, _url_patterns, declared_download

BAD_IDS = ["99999999999999999999", "9223372036854775808", "-1", "0", "abc", "１２", "²", "٣", "1e9", "1.5",
           "\x00", "12\x00", "0x10"]
HOSTILE = [*BAD_IDS, "", " 12 ", "'; DROP TABLE x; --", "%", "\u202e", "a" * 5000]
HUGE = "99999999999999999999"


def project_filtersets() -> set[type[django_filters.FilterSet]]:
    """Every FilterSet class defined in the project's apps (each app's filters module imported first)."""
    ours = {c.name for c in apps.get_app_configs()
            if c.path.startswith(str(settings.BASE_DIR)) and ".venv" not in c.path and c.name != "core"}
    for name in ours:
        try:
            importlib.import_module(f"{name}.filters")
        except ModuleNotFoundError:
            pass
    found: set[type] = set()
    todo = [django_filters.FilterSet]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in ours and sub._meta.model is not None:
                found.add(sub)
    return found


def id_filters(filterset: django_filters.FilterSet) -> set[str]:
    """The filters that take a primary key, by their kind (not by how they are checked)."""
    names = set()
    for name, f in filterset.filters.items():
        if isinstance(f, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter):
            names.add(name)
        elif isinstance(f, django_filters.NumberFilter):
            target = core_filters._model_field(filterset._meta.model, f.field_name)
            if target is not None and (target.primary_key or target.is_relation):
                names.add(name)
    return names


def api_lists(world: World, persona: str = "office") -> list[tuple[str, Any]]:
    """(list URL, its FilterSet bound to nothing over the endpoint's own queryset) for every router
    endpoint that filters."""
    from rest_framework.test import APIRequestFactory

    out = []
    backend = core_filters.FilterBackend()
    for _prefix, viewset, basename in router.registry:
        if not (getattr(viewset, "filterset_class", None) or getattr(viewset, "filterset_fields", None)):
            continue
        request = APIRequestFactory().get("/")
        request.user = world.user("auditadmin" if basename == "changeevent" else persona)
        view = viewset(request=request, format_kwarg=None, action="list", kwargs={})
        queryset = view.get_queryset()
        cls = backend.get_filterset_class(view, queryset)
        out.append((reverse(f"{basename}-list"), cls(None, queryset=queryset, request=request)))
    return out


def page_lists() -> list[tuple[str, URLPattern]]:
    """Every list page: a ScopedListView, or a page that exports its filtered list (?export=xlsx)."""
    out = []
    for ns, p in _url_patterns():
        spec = declared_download(p.callback)
        is_list = isinstance(getattr(p.callback, "view_class", None), type) and issubclass(
            p.callback.view_class, ScopedListView)
        if is_list or (spec is not None and any("export" in q for q in spec.queries)):
            out.append((f"{ns}{p.name}", p))
    return out


def page_filtersets(client: Client, world: World) -> list[tuple[str, Any]]:
    """(page URL, the FilterSet the page built) for every list page that filters."""
    out = []
    for name, pattern in page_lists():
        spec = declared_download(pattern.callback)
        arg_names = list(pattern.pattern.converters)
        missing = [a for a in arg_names if spec is None or a not in spec.args]
        assert not missing, f"{name}: cannot reach this list page (declare its URL arguments)"
        choices = [_arg_values(spec.args[a]) for a in arg_names] if spec else []
        for values in itertools.product(*choices):
            url = reverse(name, kwargs=dict(zip(arg_names, values, strict=True)))
            response = _fetch(client, world, url)
            assert response.status_code == 200, (url, response.status_code)
            if response.context.get("filter") is not None:
                out.append((url, response.context["filter"]))
    return out


@pytest.fixture
def campaign(hostile: dict[str, Any]) -> Any:
    """A campaign, a plan, a custom ledger … : every object a list page's URL needs."""
    return hostile["campaign"]


def test_every_project_filterset_is_hardened() -> None:
    found = project_filtersets()
    assert len(found) >= 10
    assert all(issubclass(cls, core_filters.FilterSet) for cls in found), [
        c for c in found if not issubclass(c, core_filters.FilterSet)]


def test_every_filter_of_every_filterset_refuses_bad_ids(client: Client, world: World, campaign: Any) -> None:
    """The whole matrix, at the FilterSet level over each list's own queryset (no HTTP: fast)."""
    client.raise_request_exception = True
    lists = api_lists(world) + page_filtersets(client, world)
    reached = {type(fs) for _url, fs in lists}
    assert project_filtersets() <= reached, f"no list reaches {project_filtersets() - reached}"
    checked = 0
    for url, bound in lists:
        cls, ids = type(bound), id_filters(bound)
        for name in bound.filters:
            for value in HOSTILE:
                fs = cls({name: value}, queryset=bound.queryset, request=bound.request)
                if fs.is_valid():
                    assert not (name in ids and value in BAD_IDS), (url, name, value)
                    list(fs.qs[:1])
                else:
                    assert list(fs.form.errors) == [name], (url, name, value, fs.form.errors)
                checked += 1
    assert checked > 2000


def test_api_lists_answer_400_naming_the_parameter(client: Client, world: World) -> None:
    client.raise_request_exception = True
    for url, bound in api_lists(world):
        client.force_login(world.users["auditadmin" if "audit" in url else "enterprise_a"])
        for name in sorted(id_filters(bound)):
            response = client.get(f"{url}?{_q(name, HUGE)}")
            assert response.status_code == 400, (url, name)
            assert f"查询参数“{name}”" in response.json()[name][0]
        for value in (HUGE, "abc", "\x00", "１２"):  # every filter at once
            response = client.get(url + "?" + "&".join(_q(n, value) for n in bound.filters))
            assert response.status_code == (400 if id_filters(bound) else response.status_code), (url, value)
            assert response.status_code in (200, 400)


def _q(name: str, value: str) -> str:
    return f"{quote(name)}={quote(value)}"


def test_list_pages_ignore_a_bad_filter_with_a_message(client: Client, world: World, campaign: Any) -> None:
    client.raise_request_exception = True
    for url, bound in page_filtersets(client, world):
        ids = id_filters(bound)
        for value in (HUGE, "abc"):  # every filter at once
            response = _fetch(client, world, url + "?" + "&".join(_q(n, value) for n in bound.filters))
            assert response.status_code == 200, (url, value, response.status_code)
            if ids:
                shown = [str(m) for m in response.context["messages"]]
                assert any("已忽略无效的筛选条件" in m for m in shown), (url, value, shown)
        response = _fetch(client, world, url + "?" + "&".join(_q(n, "\x00") for n in bound.filters))
        assert response.status_code == 400, (url, "NUL")
        for fname in sorted(ids)[:1]:  # one bad id among good filters: only that one is dropped
            response = _fetch(client, world, f"{url}?{_q(fname, HUGE)}&q=zz-no-such-thing")
            assert response.status_code == 200
            label = str(response.context["filter"].form.fields[fname].label)
            assert any(label in str(m) for m in response.context["messages"]), (url, fname)
            assert response.context["filter"].data.get("q") in (None, "zz-no-such-thing")


def test_detail_urls_with_impossible_ids_are_not_found(client: Client, world: World, campaign: Any) -> None:
    """Every URL with an integer in its path, and every API detail route, with ids no column can hold."""
    client.raise_request_exception = True
    client.force_login(world.users["office"])
    checked = 0
    for ns, p in _url_patterns():
        converters = p.pattern.converters
        if not converters or "api/v1" in ns:
            continue
        kwargs: dict[str, Any] = {}
        for arg, conv in converters.items():
            kwargs[arg] = HUGE if type(conv).__name__ == "IntConverter" else "x"
        if HUGE not in kwargs.values():
            continue
        url = reverse(f"{ns}{p.name}", kwargs=kwargs)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (302, 400, 403, 404, 405), (url, response.status_code)
        checked += 1
    assert checked >= 40
    for _prefix, viewset, basename in router.registry:
        if not hasattr(viewset, "retrieve"):
            continue
        for value in (HUGE, "9223372036854775808", "-1", "0", "abc", "１２", "1e9"):
            lookup = getattr(viewset, "lookup_field", "pk")
            url = reverse(f"{basename}-detail", kwargs={lookup: 1}).replace("/1/", f"/{quote(value)}/")
            response = _fetch(client, world, url)
            assert response.status_code == 404, (url, response.status_code)


@pytest.mark.parametrize("url", ["/api/v1/risk/map/data/?domain={v}", "/api/v1/risk/map/data/?jurisdiction={v}"])
def test_hand_read_api_ids_are_400(client: Client, world: World, url: str) -> None:
    client.force_login(world.users["office"])
    for value in BAD_IDS:
        response = client.get(url.format(v=value.replace("\x00", "%00")))
        assert response.status_code == 400, (url, value)


@pytest.mark.parametrize("url", [
    "/ledgers/equipment/?enterprise={v}", "/ledgers/expiring/?jurisdiction={v}", "/hazards/statistics/?enterprise={v}",
    "/hazards/statistics/notice/?year={v}", "/campaigns/{c}/report/?year={v}", "/campaigns/{c}/report/?month={v}",
    "/campaigns/{c}/report.xlsx?year={v}", "/campaigns/{c}/phases/?edit={v}", "/campaigns/{c}/tasks/?phase={v}",
    "/ledgers/equipment/new/?enterprise={v}", "/campaigns/plans/1/table.xlsx?year={v}"])
def test_hand_read_page_parameters_never_fail(client: Client, world: World, campaign: Any, url: str) -> None:
    client.raise_request_exception = True
    client.force_login(world.users["office"])
    for value in HOSTILE:
        response = client.get(url.format(v=quote(value), c=campaign.pk))
        assert response.status_code in (200, 302, 400, 404), (url, value, response.status_code)


@pytest.mark.parametrize(("persona", "url"), [
    ("office", "/api/v1/escalation/records/?source=%00"), ("office", "/escalation/records/?source=a%00b"),
    ("secadmin", "/accounts/users/?q=%00"), ("office", "/notifications/?kind=%00"),
    ("office", "/enterprises/?q=x&%00=1"), ("office", "/api/v1/hazards/?q=%00")])
def test_a_nul_in_any_query_parameter_is_400(client: Client, world: World, persona: str, url: str) -> None:
    """PostgreSQL cannot compare text holding NUL: refused before any view reads a parameter."""
    client.raise_request_exception = True
    client.force_login(world.users[persona])
    response = client.get(url)
    assert response.status_code == 400
    assert "空字符" in response.content.decode()


def test_hostile_cursors_are_400_on_every_api_list_and_list_page(client: Client, world: World) -> None:
    """A keyset cursor (``core.paging``) that was not made here is a 400 with a Chinese message on every paginated
    API list, and a 400 page on the list pages; never a 500."""
    from core.paging import Pagination

    client.raise_request_exception = True
    client.force_login(world.users["office"])
    cursors = [c for c in HOSTILE if c and "\x00" not in c] + ["eyJvIjpbIi1pZCJdLCJ2IjpbMV0sImYiOnRydWV9:1:x"]
    checked = 0
    for _prefix, viewset, basename in router.registry:
        if not hasattr(viewset, "list") or getattr(viewset, "pagination_class", Pagination) is None:
            continue
        url = reverse(f"{basename}-list")
        for cursor in cursors:
            response = client.get(url, {"cursor": cursor})
            if response.status_code == 403:
                break  # not the office's list (system roles)
            if response.status_code == 200 and "count_capped" not in response.json():
                break  # a list that does not page (a summary): it reads no cursor
            assert response.status_code == 400, (url, cursor, response.status_code)
            assert "翻页参数无效" in str(response.json()), (url, cursor)
        checked += 1
    assert checked >= 10
    for url in ("/hazards/", "/enterprises/", "/checks/runs/"):
        for cursor in cursors:
            assert client.get(url, {"cursor": cursor}).status_code == 400, (url, cursor)
