"""The error pages: Chinese, in the site layout, saying what happened and what to do.

Out of scope answers 404 on purpose (house style 8), so users meet the 404 page every day; the 500 page
must render when the database, the request or the static manifest is what failed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import include, path
from django.views.defaults import permission_denied

from core.views import server_error
from tests.html_policy import policy_violations
from tests.personas import World


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def refused(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("只有本企业的账号可以维护风险清单。")


urlpatterns = [path("test-boom/", boom), path("test-refused/", refused), path("", include("anzhi.urls"))]
handler500 = "core.views.server_error"


def assert_error_page(response: HttpResponse, status: int, *phrases: str) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert 'data-testid="error-page"' in html and f"错误代码 {status}" in html
    for phrase in phrases:
        assert phrase in html, phrase
    assert "Not Found" not in html and "Server Error" not in html and "Forbidden" not in html
    assert policy_violations(html) == []
    assert "Content-Security-Policy" in response.headers
    return html


def test_404_says_not_found_or_out_of_scope_in_the_site_layout(client: Client, world: World) -> None:
    client.force_login(world.users["township_a"])
    html = assert_error_page(client.get("/no-such-page/"), 404, "找不到该页面或该内容", "管辖范围", "回到首页")
    assert 'data-testid="current-user"' in html  # the site layout, with the user's menu


def test_out_of_scope_object_gets_the_same_404_page(client: Client, world: World) -> None:
    client.force_login(world.users["township_a"])
    other = world.enterprises["ent_b1"]
    response = client.get(f"/enterprises/{other.pk}/")
    assert_error_page(response, 404, "不在您账号的管辖范围内")
    assert other.name not in response.content.decode()


def test_404_for_anonymous_visitor_renders(client: Client) -> None:
    assert_error_page(client.get("/no-such-page/"), 404, "找不到该页面")


def test_403_explains_roles_and_whom_to_ask(client: Client, world: World) -> None:
    client.force_login(world.users["sysadmin"])  # 三员分立: no business pages
    html = assert_error_page(client.get("/enterprises/"), 403, "没有权限", "三员分立", "安全管理员")
    assert 'data-testid="current-user"' in html


def test_403_shows_the_reason_the_code_gave() -> None:
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied("只有本企业的账号可以维护风险清单。"))
    assert "只有本企业的账号可以维护风险清单。" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_403_reason_through_a_view(client: Client, world: World) -> None:
    client.force_login(world.users["township_a"])
    assert_error_page(client.get("/test-refused/"), 403, "只有本企业的账号可以维护风险清单。")


def test_400_says_the_request_could_not_be_handled(client: Client) -> None:
    assert_error_page(client.get("/", HTTP_HOST="evil.example"), 400, "请求无法处理", "刷新")


def test_403_csrf_says_the_page_expired(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert_error_page(response, 403, "页面已过期", "刷新页面后重新填写")


@override_settings(ROOT_URLCONF=__name__)
def test_500_is_chinese_and_says_what_to_do(world: World) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.users["township_a"])
    assert_error_page(client.get("/test-boom/"), 500, "系统出错了", "联系系统管理员", "出错时间")


def test_500_renders_without_database_or_request() -> None:
    # No ``db`` fixture: any query would fail this test.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()


@override_settings(STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                             "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}})
def test_500_renders_when_the_static_manifest_is_missing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with override_settings(STATIC_ROOT=tmp_path):
        html = server_error(RequestFactory().get("/")).content.decode()
    assert "系统出错了" in html and "/static/core/anzhi.css" in html


def test_500_falls_back_to_plain_chinese_when_its_template_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.template import loader

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("template engine down")

    monkeypatch.setattr(loader, "get_template", broken)
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "系统出错了" in response.content.decode()
