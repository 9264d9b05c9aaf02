from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from accounts.views import logout_view
from anzhi.api import me, router

admin.site.site_header = "安治 · 系统管理"
admin.site.site_title = "安治"
admin.site.index_title = "组织机构维护（系统管理员）"

# The 500 page is rendered without the request or the database (see core.views.server_error);
# 400, 403 and 404 use Django's views with the site's templates (templates/400.html …).
handler500 = "core.views.server_error"

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("orgs/", include("orgs.urls")),
    path("enterprises/", include("enterprises.urls")),
    path("audit/", include("audit.urls")),
    path("calendar/", include("workdays.urls")),
    path("notifications/", include("notifications.urls")),
    path("escalation/", include("escalation.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("ledgers/", include("ledgers.urls")),
    path("hazards/", include("hazards.urls")),
    path("risk/", include("risk.urls")),
    path("checks/", include("checks.urls")),
    path("documents/", include("documents.urls")),
    path("enforcement/", include("enforcement.urls")),
    path("accidents/", include("accidents.urls")),
    path("tips/", include("tips.urls")),
    path("credit/", include("credit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # The admin's own password change and logout would bypass the policy, history and change log.
    path("sysadmin/password_change/", RedirectView.as_view(pattern_name="accounts:password_change")),
    path("sysadmin/logout/", logout_view),
    path("sysadmin/", admin.site.urls),
    path("api/v1/me/", me, name="api-me"),
    path("api/v1/openapi.json", SpectacularJSONAPIView.as_view(), name="openapi-schema"),
    # The split view serves Swagger UI's start-up script as a file of its own (?script), not inline: CSP.
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="openapi-schema", template_name="core/swagger_ui.html"),
         name="api-docs"),
    path("api/v1/", include(router.urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
