"""Paging that never counts a whole scope and never reads deep pages by OFFSET: the one paginator for pages and
the API.

A province-wide list (a million hazards for the provincial office) must not run COUNT(*) over the scope on
every request: the count grows with the data while the rows query (an index scan with LIMIT) stays flat. So the
paginator counts at most ``ANZHI_COUNT_CAP`` + 1 rows (``SELECT COUNT(*) FROM (... LIMIT cap+1)``): below the
cap the count is exact, above it the page says "超过 10,000 条". Django's Paginator is kept (page objects,
templates, DRF) and only its count is bounded.

Past the cap, pages go on by *keyset* (a cursor), not by page number: the link to the next page carries the
ordering values of the last row shown (``cursor=…``, signed), and that page is the first rows after them — an
index range scan, as cheap at page 2,000 as at page 1; the previous page likewise before the first row. A small
scope keeps page numbers. The cursor works for orderings of non-null columns of the listed model (the primary key
is added as the tie-break); a list ordered otherwise keeps page numbers. A cursor that was not made here, or for
another ordering, is a 400 with a Chinese message (``BadCursor``)."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import BadRequest, FieldDoesNotExist, ValidationError
from django.core.paginator import Page, Paginator
from django.db import OperationalError, connections, transaction
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

CURSOR = "cursor"
BAD_CURSOR = _("翻页参数无效（可能是页面已过期），请从第一页重新开始。")
_SALT = "core.paging.cursor"


# Parameters that page or order a list without changing which rows it holds.
LIST_PARAMS = frozenset({"page", "page_size", CURSOR, "sort", "ordering", "format"})
SEARCH = "q"


def searching(params: Any) -> bool:
    """True when a list's query string carries free-text search words (``q``, every list's search filter)."""
    return bool((params.get(SEARCH) or "").strip())


def unfiltered(params: Any) -> bool:
    """True when a list's query string (a QueryDict) filters nothing: its rows are the whole scope, whose size
    the maintained counts may know (``scope_total``). Any other parameter with a value counts as a filter."""
    return not any(value for key, values in params.lists() if key not in LIST_PARAMS for value in values)


class BadCursor(BadRequest):
    """A cursor that cannot be read (tampered, truncated, made for another list): the request is refused."""


class CappedPaginator(Paginator):
    def __init__(self, *args: Any, total: int | None = None, search: bool = False, cap: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.total = total
        self.search = search
        self.own_cap = cap

    @cached_property
    def cap(self) -> int:
        # A free-text search counts to a lower cap: its matches are found by reading rows (a word in 1 of 20
        # descriptions: ~20 rows read per match), so 10,001 of them cost ~200 ms where 1,001 cost ~20 ms; and
        # beyond a thousand matches a person refines the words rather than reads on. A list may count to a lower
        # cap of its own (``cap``: ``ScopedListView.count_cap``).
        cap = settings.ANZHI_COUNT_CAP if self.own_cap is None else min(settings.ANZHI_COUNT_CAP, self.own_cap)
        return min(cap, settings.ANZHI_SEARCH_COUNT_CAP) if self.search else cap

    uncounted = False  # the count stopped at the time limit, not at the cap (``count`` then says cap + 1)
    # ``total``: the exact number of rows when the caller knows it without counting (an unfiltered list's scope,
    # from the maintained counts): no count is run, the page says the total, and past the cap pages still go on by
    # cursor (page numbers stay within the cap).

    @cached_property
    def count(self) -> int:
        """The number of rows, or cap + 1 when there are more than cap — or when counting them takes longer than
        ``ANZHI_COUNT_MS`` on PostgreSQL (``uncounted``): a filter whose rows are many and scattered (the overdue
        major hazards of a province) can take seconds to count even within the cap, while its first page is an
        index walk of a few milliseconds; the page then says it did not finish counting, and pages on by cursor."""
        if self.total is not None:
            return min(self.total, self.cap + 1)
        rows = self.object_list
        if not hasattr(rows, "query"):
            return min(len(rows), self.cap + 1)
        # Which cap + 1 rows are counted does not matter, so not in the list's order: without it PostgreSQL counts
        # from whichever index answers the filter (a township's 10,001 hazards: an index-only scan of 1 ms instead
        # of a top-N sort of its whole territory, 64 ms, at 200,000 hazards).
        rows = rows.order_by()
        limit = settings.ANZHI_COUNT_MS
        connection = connections[rows.db]
        if not limit or connection.vendor != "postgresql" or connection.in_atomic_block:
            # Counted within a LIMIT, in the database. Inside a transaction already open (a write's, or a test's)
            # no time limit: it would need a savepoint, and SET LOCAL would outlive it.
            return rows[: self.cap + 1].count()
        try:
            # A transaction of its own (requests run in autocommit): SET LOCAL ends with it, and a cancelled count
            # rolls back nothing but itself.
            with transaction.atomic(using=rows.db), connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = %s", [int(limit)])
                return rows[: self.cap + 1].count()
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != "57014":  # query_canceled: the limit, nothing else
                raise
            self.uncounted = True
            return self.cap + 1

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


# -- keyset --------------------------------------------------------------------------------------------------
def keyset_order(rows: Any) -> list[tuple[str, bool]] | None:
    """The ordering of a queryset as (field name, descending) pairs ending with the primary key, or None when it
    cannot be paged by keyset (not a queryset; a related, computed, random or nullable ordering)."""
    query = getattr(rows, "query", None)
    if query is None:
        return None
    model = rows.model
    ordering = list(query.order_by) or (list(model._meta.ordering) if query.default_ordering else [])
    out: list[tuple[str, bool]] = []
    for item in ordering:
        if not isinstance(item, str) or item == "?":
            return None
        desc = item.startswith("-")
        name = item.lstrip("-+")
        if name == "pk":
            name = model._meta.pk.name
        if "__" in name:
            return None
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not field.concrete or field.null or field.is_relation:
            return None
        out.append((field.name, desc))
        if field.primary_key:
            return out
    out.append((model._meta.pk.name, out[-1][1] if out else False))
    return out


def _value(obj: Any, name: str) -> Any:
    value = getattr(obj, name)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value if isinstance(value, int | str | bool) or value is None else str(value)


def make_cursor(order: list[tuple[str, bool]], obj: Any, forward: bool) -> str:
    """A signed cursor: the ordering values of ``obj``, and whether the rows after (forward) or before it follow."""
    return signing.dumps({"o": [f"-{n}" if d else n for n, d in order], "v": [_value(obj, n) for n, _d in order],
                          "f": forward}, salt=_SALT, compress=True)


def read_cursor(token: str, rows: Any, order: list[tuple[str, bool]]) -> tuple[list[Any], bool]:
    """The ordering values and direction a cursor names, checked against this list's ordering; ``BadCursor``
    for anything else."""
    try:
        data = signing.loads(token, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError) as exc:
        raise BadCursor(str(BAD_CURSOR)) from exc
    names = [f"-{n}" if d else n for n, d in order]
    if not isinstance(data, dict) or data.get("o") != names or not isinstance(data.get("v"), list) \
            or len(data["v"]) != len(order) or not isinstance(data.get("f"), bool):
        raise BadCursor(str(BAD_CURSOR))
    values = []
    for (name, _desc), raw in zip(order, data["v"], strict=True):
        field = rows.model._meta.get_field(name)
        try:
            value = field.to_python(raw)
            field.run_validators(value)  # in the column's range (an id past 2⁶³ is refused here, not by the database)
            values.append(value)
        except (ValidationError, ValueError, TypeError, OverflowError) as exc:
            raise BadCursor(str(BAD_CURSOR)) from exc
    return values, data["f"]


def _beyond(order: list[tuple[str, bool]], values: list[Any], forward: bool) -> Q:
    """Rows strictly after ``values`` in ``order`` (forward) or strictly before them: (a, b) < (x, y) written as
    a ≤ x AND (a < x OR (a = x AND b < y)), so the leading column bounds an index range scan."""
    q = Q(pk__in=[])
    equal = Q()
    for (name, desc), value in zip(order, values, strict=True):
        op = "lt" if desc == forward else "gt"
        q |= equal & Q(**{f"{name}__{op}": value})
        equal &= Q(**{name: value})
    lead, desc = order[0]
    return Q(**{f"{lead}__{'lte' if desc == forward else 'gte'}": values[0]}) & q


def _reversed(order: list[tuple[str, bool]]) -> list[str]:
    return [n if d else f"-{n}" for n, d in order]


class KeysetPage(Page):
    """One page read by keyset: what a template needs to link to its neighbours (``next_cursor``,
    ``previous_cursor``; ``previous_first`` when the previous page is the first one)."""

    next_cursor: str | None = None
    previous_cursor: str | None = None
    previous_first = False

    def has_next(self) -> bool:
        return self.next_cursor is not None

    def has_previous(self) -> bool:
        if self.number:  # a numbered page past the cap: its previous page has a number
            return super().has_previous()
        return self.previous_cursor is not None or self.previous_first


def keyset_rows(rows: Any, per_page: int, token: str, order: list[tuple[str, bool]]) -> tuple[list[Any], bool, bool]:
    """The page a cursor names: (rows, more after them, more before them)."""
    values, forward = read_cursor(token, rows, order)
    qs = rows.filter(_beyond(order, values, forward))
    if not forward:
        qs = qs.order_by(*_reversed(order))
    found = list(qs[: per_page + 1])
    more = len(found) > per_page
    found = found[:per_page]
    if forward:
        return found, more, True
    found.reverse()
    return found, True, more


def page_of(rows: Any, per_page: int, number: Any, *, cursor: str | None = None, keyset: bool = False,
            total: int | None = None, search: bool = False, cap: int | None = None) -> Any:
    """The page asked for (the last one when out of range), counted within the cap. A view that passes its
    ``cursor`` parameter (``keyset=True``; ``core.listing.ScopedListView`` does) gets the keyset page a cursor
    names, and past the cap its pages link onward by cursor (``_pagination.html``). ``total``: the number of rows,
    when the caller knows it (nothing is counted then); ``search``: the rows are a free-text search's matches
    (counted to ``ANZHI_SEARCH_COUNT_CAP``); ``cap``: the list's own lower cap."""
    paginator = CappedPaginator(rows, per_page, total=total, search=search, cap=cap)
    order = keyset_order(rows)
    if cursor and keyset:
        if order is None:
            raise BadCursor(str(BAD_CURSOR))
        found, after, before = keyset_rows(rows, per_page, cursor, order)
        page = KeysetPage(found, 0, paginator)
        if found and after:
            page.next_cursor = make_cursor(order, found[-1], True)
        if found and before:
            page.previous_cursor = make_cursor(order, found[0], False)
        elif not found:  # the rows moved on: back to the first page
            page.previous_first = True
        return page
    page = paginator.get_page(number)
    if keyset and paginator.capped and order is not None and len(page.object_list) >= per_page:
        # Past the cap the count says nothing about the end: a full page links onward.
        page.__class__ = KeysetPage
        page.next_cursor = make_cursor(order, list(page.object_list)[-1], True)
    return page


class Pagination(PageNumberPagination):
    """The API's pagination, counted within the cap (``count_capped`` says the count stopped there): page numbers
    for a small list; past the cap ``next``/``previous`` carry a keyset cursor (see the module)."""

    django_paginator_class = CappedPaginator
    cursor_query_param = CURSOR

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any] | None:
        self.request = request
        self.keyset: dict[str, Any] | None = None
        token = request.query_params.get(self.cursor_query_param) or None
        order = keyset_order(queryset)
        # A view whose whole scope the maintained counts know (``scope_total(user)``) gives its unfiltered total.
        scope_total = getattr(view, "scope_total", None)
        self.total = scope_total(request.user) if scope_total is not None and unfiltered(request.query_params) \
            else None
        if token is None:
            total, search = self.total, searching(request.query_params)
            self.django_paginator_class = lambda rows, size: CappedPaginator(rows, size, total=total, search=search)
            rows = super().paginate_queryset(queryset, request, view)
            if self.page.paginator.capped and order is not None and rows:
                # Past the cap the count says nothing about the end: a full page links onward.
                self.keyset = {"next": make_cursor(order, rows[-1], True) if len(rows) >= self.page.paginator.per_page
                               else None, "previous": None}
            return rows
        size = self.get_page_size(request)
        if order is None or not size:
            raise exceptions.ValidationError({self.cursor_query_param: [str(BAD_CURSOR)]})
        try:
            found, after, before = keyset_rows(queryset, size, token, order)
        except BadCursor as exc:
            raise exceptions.ValidationError({self.cursor_query_param: [str(BAD_CURSOR)]}) from exc
        self.page = Page(found, 1, self.django_paginator_class(queryset, size))
        self.keyset = {"next": make_cursor(order, found[-1], True) if found and after else None,
                       # An empty page (the rows moved on) links back to the first page; a page with nothing
                       # before it has no previous page.
                       "previous": (make_cursor(order, found[0], False) if before else None) if found else "",
                       "first": True}
        return found

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        if cursor == "":  # the previous page is the first one
            return remove_query_param(url, self.cursor_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_next_link(self) -> str | None:
        if self.keyset is not None:
            return self._link(self.keyset["next"])
        return super().get_next_link()

    def get_previous_link(self) -> str | None:
        if self.keyset is not None and self.keyset.get("first"):
            return self._link(self.keyset["previous"])
        return super().get_previous_link()

    def get_paginated_response(self, data: Any) -> Response:
        paginator = self.page.paginator
        return Response(OrderedDict([
            ("count", min(paginator.count, paginator.cap)),
            ("count_capped", paginator.capped),
            ("total", self.total),
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
                             "description": "true when there are more rows than count (counting stops at the cap), or when "
                                          "counting did not finish within the time limit (ANZHI_COUNT_MS)"},
            "total": {"type": "integer", "nullable": True, "example": 123,
                      "description": "the exact number of rows when the list is not filtered (from the maintained "
                                     "counts, nothing counted); null otherwise"},
            **{k: v for k, v in answer["properties"].items() if k != "count"},
        }
        return answer

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [*super().get_schema_operation_parameters(view), {
            "name": self.cursor_query_param, "required": False, "in": "query",
            "description": "翻页游标：超过计数上限的列表，next/previous 链接带此参数（按排序键续读，不用页码）；"
                           "无效或过期的游标返回 400",
            "schema": {"type": "string"}}]
