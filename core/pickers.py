"""Searchable pickers: the widgets (``Picker``, ``MultiPicker``) and the scoped option endpoint.

A picker is a plain select marked ``data-picker``: without JavaScript it is the select it always was. With it,
``core/static/core/anzhi.js`` turns it into a Tom Select control (the files come from the django-tomselect
package on PyPI, served from ``STATICFILES_DIRS`` like Leaflet's; see ``anzhi/settings.py``). Each option
carries its pinyin keys (``data-search``: 湘乡钢铁 → xiangxianggangtie, xxgt) so initials find it.

Why not django-tomselect's own widget: it renders an inline script element per field (and an inline
``style=`` in its error message), which the site's Content-Security-Policy refuses (``script-src 'self'``,
no nonces, ``core/tests/test_csp.py``); its views are its own read path, where ours must start from
``visible_to``. So only its static files are used.

Short directories (a county's units and jurisdictions, inspectors: a few hundred at most) are rendered whole and
searched in the browser. Long scoped lists (enterprises) name a registered *source*: only the chosen options are
rendered, and the control asks ``core:pick`` as the person types. A directory that is short in a county and long
in a province (jurisdictions: tens of thousands of villages; units: thousands) is rendered whole up to
``WHOLE`` options and asked for beyond: its field is matched to a registered source whose ``narrow`` gives the
same query as the field's own (otherwise it stays whole, as before), so the endpoint offers exactly the field's
choices (a township field never offers villages). That endpoint starts from
``Model.objects.visible_to(request.user)`` for every source, so it can never offer what the user may not
see; the form field's own scoped queryset still decides what is accepted (an out-of-scope id is an
invalid choice, exactly as before)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import models
from django.forms.models import ModelChoiceIteratorValue
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from core.filters import parse_id
from core.pinyin import search_text

PICK_LIMIT = 30  # options one answer carries: the person types more to narrow it
QUERY_MAX = 60
WHOLE = 300  # a directory field with more choices than this is asked for as one types (see the module)


def _everything(qs: models.QuerySet) -> models.QuerySet:
    return qs


@dataclass(frozen=True)
class PickerSource:
    key: str
    model: type[models.Model]
    search: Callable[[models.QuerySet, str], models.QuerySet]
    order: tuple[str, ...] = ("pk",)
    narrow: Callable[[models.QuerySet], models.QuerySet] = _everything
    directory: bool = False  # rendered whole when short, asked for when long (matched to fields by their query)
    # Choices that depend on who asks (one's own territory): named by a form with ``ask_when_long``, never matched.
    for_user: Callable[[models.QuerySet, Any], models.QuerySet] | None = None

    def choices(self, user: Any) -> models.QuerySet:
        qs = self.narrow(self.model.objects.visible_to(user))  # type: ignore[attr-defined]
        return self.for_user(qs, user) if self.for_user is not None else qs


_SOURCES: dict[str, PickerSource] = {}


def register_picker(key: str, model: type[models.Model], *, search: Callable[[models.QuerySet, str], models.QuerySet],
                    order: tuple[str, ...] = ("pk",), narrow: Callable[[models.QuerySet], models.QuerySet] | None = None,
                    directory: bool = False,
                    for_user: Callable[[models.QuerySet, Any], models.QuerySet] | None = None) -> None:
    """Offer ``model`` to remote pickers under ``key`` (called from an app's ``ready()``). The endpoint reads
    ``narrow(model.objects.visible_to(user))``, then ``search(queryset, text)``. ``directory``: fields are not
    named with this source; a field whose queryset is ``narrow(model.objects.all())`` uses it once it has more
    than ``WHOLE`` choices."""
    if not hasattr(model.objects, "visible_to"):  # type: ignore[attr-defined]
        raise TypeError(f"{model.__name__} has no visible_to(): a picker source must be scoped")
    _SOURCES[key] = PickerSource(key, model, search, order, narrow or _everything, directory, for_user)


def _query_key(qs: models.QuerySet) -> str:
    return str(qs.order_by().select_related(None).query)


@lru_cache(maxsize=64)
def _source_key(key: str) -> str:
    """A directory source's query, compiled once per process (it does not change): every filter form asks."""
    source = _SOURCES[key]
    return _query_key(source.narrow(source.model.objects.all()))


def ask_when_long(field: forms.ModelChoiceField, key: str) -> None:
    """A form's field whose choices depend on the user (their territory): asked for from source ``key`` when it has
    more than ``WHOLE`` choices. The source must offer the field's choices (``for_user``); the field still decides."""
    if field.queryset.order_by()[:WHOLE + 1].count() > WHOLE:
        field.widget.source = key  # type: ignore[attr-defined]


def directory_source(queryset: models.QuerySet) -> str | None:
    """The directory source that offers exactly ``queryset``'s rows, when it is long (more than ``WHOLE``)."""
    if queryset.query.is_empty():
        return None
    try:
        key = _query_key(queryset)
    except EmptyResultSet:  # a condition that can match nothing (pk__in=[]): nothing to ask for
        return None
    for source in _SOURCES.values():
        if source.directory and source.for_user is None and source.model is queryset.model \
                and _source_key(source.key) == key:
            if queryset.order_by()[:WHOLE + 1].count() > WHOLE:
                return source.key
            return None
    return None


def picker_sources() -> dict[str, PickerSource]:
    return dict(_SOURCES)


@lru_cache(maxsize=8192)
def search_keys(label: str) -> str:
    """What typing may match besides the label itself: full pinyin and initials (core.pinyin)."""
    return search_text(label)


def _option_json(obj: models.Model) -> dict[str, str]:
    text = str(obj)
    return {"value": str(obj.pk), "text": text, "search": search_keys(text)}


@login_required
def pick(request: HttpRequest, key: str) -> JsonResponse:
    """Options of a remote picker matching ``?q=``, among what the user may see (``visible_to``)."""
    source = _SOURCES.get(key)
    if source is None:
        raise Http404
    if not request.user.has_business_role:  # type: ignore[union-attr]
        raise PermissionDenied
    qs = source.choices(request.user)
    text = "".join(ch for ch in request.GET.get("q", "") if ch.isprintable()).strip()[:QUERY_MAX]
    if text:
        qs = source.search(qs, text)
    rows = [_option_json(o) for o in qs.order_by(*source.order)[:PICK_LIMIT]]
    return JsonResponse({"results": rows})


class _PickerMixin:
    """Marks the select for anzhi.js and gives each option its pinyin keys."""

    source: str | None

    def _picker_attrs(self, attrs: dict[str, Any]) -> None:
        attrs["data-picker"] = ""
        attrs.setdefault("data-picker-placeholder", _("输入名称或拼音首字母搜索"))
        attrs["data-picker-empty"] = _("没有匹配的选项")
        attrs["data-picker-clear"] = _("清除")
        attrs["data-picker-remove"] = _("移除")
        if self.source:
            attrs["data-picker-url"] = reverse("core:pick", args=[self.source])

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        field = getattr(self.choices, "field", None)  # type: ignore[attr-defined]
        if not self.source and field is not None and getattr(field, "queryset", None) is not None:
            self.source = directory_source(field.queryset)
        context = super().get_context(name, value, attrs)  # type: ignore[misc]
        self._picker_attrs(context["widget"]["attrs"])
        return context

    def create_option(self, name: str, value: Any, label: Any, selected: bool, index: int,
                      subindex: int | None = None, attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)  # type: ignore[misc]
        if value not in ("", None):
            option["attrs"]["data-search"] = search_keys(str(label))
        return option

    def optgroups(self, name: str, value: list[str], attrs: dict[str, Any] | None = None) -> Any:
        # A remote source: render the empty choice and the chosen options only (the rest is asked for).
        field = getattr(self.choices, "field", None)  # type: ignore[attr-defined]
        if not self.source or field is None:
            return super().optgroups(name, value, attrs)  # type: ignore[misc]
        ids = [i for i in (parse_id(v) for v in value) if i is not None]
        chosen = [(ModelChoiceIteratorValue(field.prepare_value(o), o), field.label_from_instance(o))
                  for o in field.queryset.filter(pk__in=ids)] if ids else []
        empty = [("", field.empty_label)] if getattr(field, "empty_label", None) is not None else []
        full = self.choices  # type: ignore[attr-defined]
        self.choices = empty + chosen  # type: ignore[attr-defined]
        try:
            return super().optgroups(name, value, attrs)  # type: ignore[misc]
        finally:
            self.choices = full  # type: ignore[attr-defined]


class Picker(_PickerMixin, forms.Select):
    """A single choice the person finds by typing (name, pinyin, initials).

    ``source``: a key given to :func:`register_picker` for a long scoped list asked for as one types."""

    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = (), *, source: str | None = None) -> None:
        super().__init__(attrs, choices)
        self.source = source


class MultiPicker(_PickerMixin, forms.SelectMultiple):
    """Several choices, each found by typing and removed with its ×: no Ctrl-click through 80 units."""

    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = (), *, source: str | None = None) -> None:
        super().__init__(attrs, choices)
        self.source = source


# Models whose choices are long enough that a plain select is a scroll through dozens of names: every form
# field choosing them uses a picker (tests/test_forms_policy.py).
PICKED_MODELS = ("orgs.Unit", "orgs.Jurisdiction", "enterprises.Enterprise", "enforcement.Inspector")


def picked_model(field: Any) -> bool:
    queryset = getattr(field, "queryset", None)
    return queryset is not None and queryset.model._meta.label in PICKED_MODELS


def use_picker(field: forms.Field) -> None:
    """Give a model choice field a picker in place of its select (for fields built by others: filters)."""
    if isinstance(field.widget, Picker | MultiPicker | forms.HiddenInput | forms.MultipleHiddenInput):
        return
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    widget = (MultiPicker if multiple else Picker)(attrs=dict(field.widget.attrs))
    widget.choices = field.widget.choices  # type: ignore[attr-defined]
    widget.is_required = field.widget.is_required
    field.widget = widget
