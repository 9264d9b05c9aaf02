"""Paging that never counts a whole scope: the one paginator for pages and the API.

A province-wide list (a million hazards for the provincial office) must not run COUNT(*) over the scope on
every request: the count grows with the data while the rows query (an index scan with LIMIT) stays flat. So the
paginator counts at most ``ANZHI_COUNT_CAP`` + 1 rows (``SELECT COUNT(*) FROM (... LIMIT cap+1)``): below the
cap the count is exact, above it the page says "超过 10,000 条" and pages on through the first rows; filters
narrow a list, as users of such lists do anyway. Django's Paginator is kept (page objects, templates, DRF) and
only its count is bounded."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class CappedPaginator(Paginator):
    @cached_property
    def cap(self) -> int:
        return settings.ANZHI_COUNT_CAP

    @cached_property
    def count(self) -> int:
        """The number of rows, or cap + 1 when there are more than cap."""
        rows = self.object_list
        if hasattr(rows, "query"):  # a queryset: count within a LIMIT, in the database
            return rows[: self.cap + 1].count()
        return min(len(rows), self.cap + 1)

    def page(self, number: Any) -> Any:
        """As Django's, except that a page is not cut at the count when the count stopped at the cap."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.capped and top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.object_list[bottom:top], number, self)

    @cached_property
    def capped(self) -> bool:
        """True when there are more rows than the count says (the count stopped at the cap)."""
        return self.count > self.cap


def page_of(rows: Any, per_page: int, number: Any) -> Any:
    """The page asked for (the last one when out of range), counted within the cap."""
    return CappedPaginator(rows, per_page).get_page(number)


class Pagination(PageNumberPagination):
    """The API's page-number pagination, counted within the cap: ``count_capped`` says the count stopped there."""

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data: Any) -> Response:
        paginator = self.page.paginator
        return Response(OrderedDict([
            ("count", min(paginator.count, paginator.cap)),
            ("count_capped", paginator.capped),
            ("next", self.get_next_link()),
            ("previous", self.get_previous_link()),
            ("results", data),
        ]))

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        answer = super().get_paginated_response_schema(schema)
        answer["required"] = ["count", "count_capped", "results"]
        answer["properties"] = {
            "count": answer["properties"]["count"],
            "count_capped": {"type": "boolean", "example": False,
                             "description": "true when there are more rows than count (counting stops at the cap)"},
            **{k: v for k, v in answer["properties"].items() if k != "count"},
        }
        return answer
