"""Generic scoped list page: one FilterSet drives the page, the HTMX partial and the Excel export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from core.export import Download, xlsx_response
from core.filters import INVALID_FILTER_MESSAGE
from core.paging import CURSOR, page_of, searching, unfiltered


def apply_filters(request: HttpRequest, make: Callable[[Any], Any]) -> tuple[Any, models.QuerySet]:
    """Bind the list's FilterSet to the query string; a parameter the FilterSet refuses (an id out of
    range, a word where a number belongs) is dropped with a message, and the others still apply.

    ``make(data)`` builds the FilterSet. Returns (filterset, filtered queryset). No message for an HTMX
    partial or an export: neither shows one, and it would surface on some later page."""
    data = request.GET.copy() if request.GET else None
    filterset = make(data)
    if data is None:
        return filterset, filterset.qs
    if not filterset.is_valid():
        for name, errors in filterset.form.errors.items():
            field = filterset.form.fields.get(name)
            label = str(field.label) if field is not None and field.label else name
            for message in errors:
                if not getattr(request, "htmx", False) and request.GET.get("export") is None:
                    messages.warning(request, INVALID_FILTER_MESSAGE % {"label": label, "message": message})
            data.pop(name, None)
        filterset = make(data or None)
        if filterset.is_bound and not filterset.is_valid():  # never expected: refuse filtering altogether
            return filterset, filterset.queryset
    return filterset, filterset.qs


class ScopedListView(LoginRequiredMixin, View):
    model: ClassVar[type[models.Model]]
    filterset_class: ClassVar[Any]
    template_name: ClassVar[str]
    roles: ClassVar[Sequence[str]] = ()  # empty: any business role
    paginate_by: ClassVar[int] = 50
    sort_fields: ClassVar[dict[str, str]] = {}
    default_sort: ClassVar[str] = ""
    export_filename: ClassVar[str] = "export.xlsx"
    export_columns: ClassVar[Sequence[tuple[str, Callable[[Any], Any]]]] = ()
    export_limit: ClassVar[int] = 200_000
    # URL arguments of the page, for the export test (see core.export.Download): {"pk": Campaign}.
    download_args: ClassVar[dict[str, Any]] = {}
    download: ClassVar[Download | None] = None
    # ``scope_total(user)``: how many rows ``base_queryset`` holds, from maintained counts (a staticmethod), so that
    # an unfiltered page says its exact total and counts nothing; None: the paginator counts within its cap.
    scope_total: ClassVar[Callable[[Any], int | None] | None] = None
    # A lower cap for this list's count than ANZHI_COUNT_CAP (None: that one), for a list whose rows each cost a
    # probe to count (core.paging.CappedPaginator.cap).
    count_cap: ClassVar[int | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.export_columns:
            cls.download = Download(("xlsx",), cls.download_args, ({"export": "xlsx"},))

    def check_role(self, request: HttpRequest) -> None:
        user = request.user
        if not (user.has_role(*self.roles) if self.roles else user.has_business_role):
            raise PermissionDenied

    def base_queryset(self) -> models.QuerySet:
        return self.model.objects.visible_to(self.request.user)  # type: ignore[attr-defined]

    def decorate(self, qs: models.QuerySet) -> models.QuerySet:
        """select_related / prefetch for display; override per list."""
        return qs

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        return kwargs

    def rows(self, request: HttpRequest) -> tuple[Any, models.QuerySet, str]:
        """(filterset, the scoped, filtered, sorted and decorated queryset, the sort): what the page pages through,
        the export writes out and bench/goals.py times alone as the list's rows query."""
        filterset, qs = apply_filters(request, lambda data: self.filterset_class(
            data, queryset=self.base_queryset(), request=request))
        sort = request.GET.get("sort") or self.default_sort
        key = sort.lstrip("-")
        if key in self.sort_fields:
            field = self.sort_fields[key]
            # Ties broken in the same direction, so that one index (e.g. found_at DESC, id DESC) serves the order.
            qs = qs.order_by(*((f"-{field}", "-pk") if sort.startswith("-") else (field, "pk")))
        return filterset, self.decorate(qs), sort

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.check_role(request)
        filterset, qs, sort = self.rows(request)
        if request.GET.get("export") == "xlsx" and self.export_columns:
            return xlsx_response(self.export_filename, self.model._meta.verbose_name_plural[:31],
                                 self.export_columns, qs[: self.export_limit].iterator(chunk_size=2000)
                                 if not qs._prefetch_related_lookups else qs[: self.export_limit])
        total = self.scope_total(request.user) if self.scope_total is not None and unfiltered(request.GET) else None
        page = page_of(qs, self.paginate_by, request.GET.get("page"), cursor=request.GET.get(CURSOR), keyset=True,
                       total=total, search=searching(request.GET), cap=self.count_cap)
        context = self.get_context(filter=filterset, page=page, objects=page.object_list, sort=sort)
        template = f"{self.template_name}#results" if getattr(request, "htmx", False) else self.template_name
        return render(request, template, context)
