"""Query-string input checked before it reaches the database.

An id arrives as text: ``?enterprise=99999999999999999999`` used to travel through a NumberFilter
as a Decimal and crash SQLite (OverflowError, a 500); ``"１２"`` or ``"²"`` pass ``str.isdigit()`` and
then break ``int()``. Here an id is ASCII digits only, 1 … 2⁶³-1 (the range of the big-integer
primary keys), and anything else is refused with a Chinese message:

* :func:`parse_id` / :func:`parse_int` for hand-read parameters;
* :class:`FilterSet`, the base of every FilterSet in the project: its id filters (model choices,
  numbers on keys and foreign keys) check their value this way, and plain integer filters stay within
  the database's range. The API answers a bad value with 400 naming the parameter
  (:class:`FilterBackend`); a list page ignores that filter and says so (``core.listing``).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import fields as filter_fields
from django_filters import rest_framework as drf_filters
from rest_framework import exceptions

MAX_ID = 2**63 - 1
_MAX_DIGITS = len(str(MAX_ID))


def shown(value: Any, limit: int = 24) -> str:
    """A hostile value, short and printable, for a message."""
    text = "".join(ch if ch.isprintable() else "�" for ch in str(value))
    return text if len(text) <= limit else text[:limit] + "…"


def parse_int(value: Any, *, minimum: int, maximum: int) -> int | None:
    """ASCII digits (an optional leading '-') within [minimum, maximum]; None for anything else."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        digits = text[1:] if text.startswith("-") else text
        if not digits or len(digits) > _MAX_DIGITS or not (digits.isascii() and digits.isdigit()):
            return None
        number = int(text)
    return number if minimum <= number <= maximum else None


def parse_id(value: Any) -> int | None:
    """A primary key from a query string or form: 1 … 2⁶³-1 in ASCII digits, else None."""
    return parse_int(value, minimum=1, maximum=MAX_ID)


def _param_message(name: str, message: str) -> str:
    return _("查询参数“%(p)s”：%(m)s") % {"p": name, "m": message}


def query_id(request: Any, name: str) -> int | None:
    """An optional id parameter of an API request; a bad one is a 400 naming the parameter."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    value = parse_id(raw)
    if value is None:
        raise exceptions.ValidationError({name: [_param_message(name, _invalid_id(raw).messages[0])]})
    return value


def _invalid_id(value: Any) -> ValidationError:
    return ValidationError(_("“%(v)s”不是有效的编号（应为正整数）。") % {"v": shown(value)}, code="invalid")


class IdField(forms.Field):
    """A primary-key value (a NumberFilter on an id or a foreign key)."""

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        number = parse_id(value)
        if number is None:
            raise _invalid_id(value)
        return number


class IntegerRangeField(forms.Field):
    """A whole number within the database column's range (a NumberFilter on a plain integer field)."""

    def __init__(self, *args: Any, minimum: int, maximum: int, **kwargs: Any) -> None:
        self.minimum, self.maximum = minimum, maximum
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        number = parse_int(value, minimum=self.minimum, maximum=self.maximum)
        if number is None:
            raise ValidationError(_("“%(v)s”不是 %(a)d 到 %(b)d 之间的整数。") % {
                "v": shown(value), "a": self.minimum, "b": self.maximum}, code="invalid")
        return number


def _integer_key(queryset: Any, to_field_name: str | None) -> bool:
    """Does the choice field look its value up by an integer key (the pk, or ``to_field_name``)?"""
    if queryset is None:
        return False
    opts = queryset.model._meta
    try:
        key = opts.get_field(to_field_name) if to_field_name else opts.pk
    except FieldDoesNotExist:
        return False
    return isinstance(key, models.IntegerField | models.AutoField)


class IdModelChoiceField(filter_fields.ModelChoiceField):
    """Checks the id's shape and range before looking it up."""

    def to_python(self, value: Any) -> Any:
        if (value not in self.empty_values and not isinstance(value, models.Model)
                and not (self.null_label is not None and value == self.null_value)
                and _integer_key(self.queryset, self.to_field_name) and parse_id(value) is None):
            raise _invalid_id(value)
        return super().to_python(value)


class IdModelMultipleChoiceField(filter_fields.ModelMultipleChoiceField):
    def _check_values(self, value: Any) -> Any:
        if _integer_key(self.queryset, self.to_field_name):
            for v in value:
                if (not isinstance(v, models.Model) and not (self.null_label is not None and v == self.null_value)
                        and parse_id(v) is None):
                    raise _invalid_id(v)
        return super()._check_values(value)


def _model_field(model: Any, name: str | None) -> models.Field | None:
    if model is None or not name:
        return None
    try:
        field: Any = None
        opts = model._meta
        for part in name.split("__"):
            field = opts.get_field(part)
            if field.is_relation and field.related_model is not None:
                opts = field.related_model._meta
        return field
    except FieldDoesNotExist:
        return None


def harden(filterset: django_filters.FilterSet) -> None:
    """Give every id-like filter of ``filterset`` a field that refuses what the database cannot take."""
    model = filterset._meta.model
    for f in filterset.filters.values():
        if isinstance(f, django_filters.ModelMultipleChoiceFilter):
            if f.field_class is filter_fields.ModelMultipleChoiceField:
                f.field_class = IdModelMultipleChoiceField
        elif isinstance(f, django_filters.ModelChoiceFilter):
            if f.field_class is filter_fields.ModelChoiceField:
                f.field_class = IdModelChoiceField
        elif isinstance(f, django_filters.NumberFilter) and f.lookup_expr in ("exact", "gt", "gte", "lt", "lte"):
            target = _model_field(model, f.field_name)
            if isinstance(target, models.AutoField | models.ForeignKey) or (
                    target is not None and target.primary_key):
                f.field_class = IdField
            elif isinstance(target, models.IntegerField):
                low, high = connection.ops.integer_field_range(target.get_internal_type())
                f.field_class = IntegerRangeField
                f.extra.update(minimum=-MAX_ID - 1 if low is None else low, maximum=MAX_ID if high is None else high)


UNLABELLED_EMPTY = {"---------", "", "全部", "未知", "不限"}


def label_filters(filterset: django_filters.FilterSet) -> None:
    """Every filter of a list page says what it filters, also when it shows only its control.

    A select's empty choice names the filter (全部状态, not "---------"); a yes/no filter reads
    规模以上：全部 / 规模以上：是 / 规模以上：否, not 未知/是/否; each control carries its label for screen
    readers and its Bootstrap class; long directories (units, jurisdictions, enterprises) become searchable
    pickers (core.pickers). Subclasses that word an empty choice themselves keep it when it names the filter."""
    from core.forms import bootstrap_class
    from core.pickers import picked_model, use_picker

    for field in filterset.form.fields.values():
        label = str(field.label or "")
        widget = field.widget
        if isinstance(field, forms.NullBooleanField):
            words = {"true": _("%(label)s：是"), "false": _("%(label)s：否")}
            widget.choices = [(value, (words.get(str(value)) or _("%(label)s：全部")) % {"label": label})
                              for value, _text in widget.choices]
        elif getattr(field, "empty_label", None) is not None and str(field.empty_label).strip() in UNLABELLED_EMPTY:
            field.empty_label = _("全部%(label)s") % {"label": label}
        if picked_model(field):
            use_picker(field)
            widget = field.widget
        css = bootstrap_class(widget)
        if css:
            widget.attrs.setdefault("class", css)
        widget.attrs.setdefault("aria-label", label)
        if isinstance(widget, forms.TextInput | forms.NumberInput) and not isinstance(widget, forms.DateInput):
            widget.attrs.setdefault("placeholder", label)


class FilterSet(django_filters.FilterSet):
    """The base of every FilterSet: see the module docstring and :func:`label_filters`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        harden(self)
        label_filters(self)


class RestFilterSet(FilterSet, drf_filters.FilterSet):
    """For FilterSets generated from ``filterset_fields`` on API viewsets."""


class FilterBackend(drf_filters.DjangoFilterBackend):
    """DjangoFilterBackend whose generated FilterSets are hardened and whose 400 names each parameter."""

    filterset_base = RestFilterSet

    def get_filterset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None and not isinstance(filterset, FilterSet):
            harden(filterset)
        return filterset

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        if getattr(view, "detail", False):
            # One object by its id (retrieve, update, a transition): the list's filters do not apply, and building
            # the FilterSet (its choices, pickers and labels) cost a transition ~6 ms. Scope is get_queryset's.
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid() and self.raise_exception:
            raise exceptions.ValidationError({name: [_param_message(name, m) for m in errors]
                                              for name, errors in filterset.form.errors.items()})
        return filterset.qs


INVALID_FILTER_MESSAGE = gettext_lazy("已忽略无效的筛选条件“%(label)s”：%(message)s")
