from django.urls import path

from risk.views import lists, maps, points, reports

app_name = "risk"
urlpatterns = [
    path("", lists.home, name="home"),
    path("overview/", lists.RiskOverviewView.as_view(), name="overview"),
    path("map/", maps.regulator_map, name="map"),
    path("schemes/", reports.schemes, name="schemes"),
    path("reports/", reports.ReportListView.as_view(), name="reports"),
    path("reports/<int:pk>/", reports.report_detail, name="report"),
    path("enterprise/<int:pk>/", lists.enterprise_risk, name="enterprise"),
    path("enterprise/<int:pk>/export.xlsx", lists.enterprise_export, name="export"),
    path("enterprise/<int:pk>/report/", lists.report_submit, name="report_submit"),
    path("enterprise/<int:pk>/plan/", maps.site_plan, name="site_plan"),
    path("enterprise/<int:pk>/class/", reports.class_override, name="class_override"),
    path("enterprise/<int:pk>/meetings/", reports.meetings, name="meetings"),
    path("enterprise/<int:enterprise_pk>/points/new/", points.point_create, name="point_create"),
    path("points/<int:pk>/", points.point_detail, name="point"),
    path("points/<int:pk>/edit/", points.point_edit, name="point_edit"),
    path("points/<int:pk>/assess/", points.point_assess, name="point_assess"),
    path("points/<int:pk>/measures/", points.measure_add, name="measure_add"),
    path("points/<int:pk>/hazards/", points.hazard_link, name="hazard_link"),
    path("points/<int:pk>/place/", maps.point_place, name="point_place"),
    path("points/<int:pk>/cards/<str:kind>.docx", points.card, name="card"),
    path("points/<int:pk>/cards/<str:kind>/", points.card_print, name="card_print"),
    path("measures/<int:pk>/delete/", points.measure_delete, name="measure_delete"),
]
