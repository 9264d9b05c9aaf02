"""One form rendering for the whole site, searchable pickers for long directories, every filter labelled
(issue 14, item 4). Class tests: every FilterSet a list page builds, every form class of the project and
every template are read, so a new module inherits the rules without a new test.

* A filter bar often shows controls without their labels: each filter has a Chinese label, carried by
  its control (aria-label), and a select's empty choice says what it filters (全部状态, 规模以上：全部),
  never "---------" or a bare 全部/未知/是/否 (``core.filters.label_filters``, inherited from the base).
* A form field choosing units, jurisdictions, enterprises or inspectors is a searchable picker
  (``core.pickers``): no Ctrl-click through 80 units.
* Forms go through ``templates/_form.html`` / ``_field.html`` (or their controls one by one): never Django's
  unstyled ``as_p``/``as_table``/``as_ul``/``as_div`` or a bare ``{{ form }}``."""

from __future__ import annotations

import importlib
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils import translation

from core.filters import UNLABELLED_EMPTY
from core.pickers import MultiPicker, Picker, picked_model
from tests.personas import World
from tests.test_hostile_ids import page_filtersets

ROOT = Path(settings.BASE_DIR)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _choice_texts(field: forms.Field) -> list[tuple[str, str]]:
    return [(str(v), str(t)) for v, t in getattr(field.widget, "choices", [])]


def filter_problems(filterset: Any) -> list[str]:
    """What a filter bar would show without saying what it filters."""
    problems = []
    for name, field in filterset.form.fields.items():
        label = str(field.label or "")
        if not CJK.search(label):
            problems.append(f"{name}: label {label!r} is not Chinese")
            continue
        if field.widget.attrs.get("aria-label") != label and not isinstance(field.widget, forms.HiddenInput):
            problems.append(f"{name}: control does not carry its label")
        if isinstance(field, forms.NullBooleanField):
            bare = [t for _v, t in _choice_texts(field) if label not in t]
            if bare:
                problems.append(f"{name}: yes/no choices {bare} do not name the filter")
        elif getattr(field, "empty_label", None) is not None:
            empty = str(field.empty_label).strip()
            if empty in UNLABELLED_EMPTY or label not in empty:
                problems.append(f"{name}: empty choice {empty!r} does not name {label!r}")
        if picked_model(field) and not isinstance(field.widget, Picker | MultiPicker | forms.HiddenInput):
            problems.append(f"{name}: a long directory without a searchable picker")
    return problems


def test_every_filter_of_every_list_page_says_what_it_filters(client: Client, world: World, hostile: Any) -> None:
    with translation.override("zh-hans"):
        lists = page_filtersets(client, world)
        assert len(lists) >= 15
        problems = [f"{url} {p}" for url, fs in lists for p in filter_problems(fs)]
    assert not problems, "\n".join(problems)


def test_the_check_sees_an_unlabelled_filter() -> None:
    """The class test above can fail: a raw django-filter FilterSet shows exactly what the issue saw."""
    import django_filters

    from hazards.models import Hazard

    class Raw(django_filters.FilterSet):
        status = django_filters.ChoiceFilter(choices=[("a", "A")], label="状态")
        overdue = django_filters.BooleanFilter(label="超期")

        class Meta:
            model = Hazard
            fields = ["status", "overdue"]

    with translation.override("zh-hans"):
        problems = filter_problems(Raw(None, queryset=Hazard.objects.none()))
    assert any("status: empty choice '---------'" in p for p in problems), problems
    assert any(p.startswith("overdue: yes/no") for p in problems), problems


def test_base_filterset_names_the_empty_choice_and_yes_no() -> None:
    from hazards.filters import HazardFilter
    from hazards.models import Hazard

    with translation.override("zh-hans"):
        fs = HazardFilter(None, queryset=Hazard.objects.none())
        assert [t for _v, t in _choice_texts(fs.form.fields["overdue"])] == ["超期：全部", "超期：是", "超期：否"]
        assert str(fs.form.fields["status"].empty_label) == "全部状态"
        assert str(fs.form.fields["supervisor"].empty_label) == "全部监管部门"
        assert isinstance(fs.form.fields["supervisor"].widget, Picker)
        assert fs.form.fields["q"].widget.attrs["placeholder"] == "搜索"


# --- forms -------------------------------------------------------------------------------------------

def project_form_classes() -> set[type[forms.BaseForm]]:
    """Every form class defined in the project's apps (their forms and views modules imported first)."""
    ours = {c.name for c in apps.get_app_configs()
            if c.path.startswith(str(settings.BASE_DIR)) and ".venv" not in c.path}
    for name in ours:
        for module in ("forms", "views"):
            try:
                importlib.import_module(f"{name}.{module}")
            except ModuleNotFoundError:
                pass
        for path in Path(apps.get_app_config(name.split(".")[-1]).path).glob("views*.py"):
            importlib.import_module(f"{name}.{path.stem}")
        views_pkg = Path(apps.get_app_config(name.split(".")[-1]).path) / "views"
        for path in views_pkg.glob("*.py") if views_pkg.is_dir() else []:
            importlib.import_module(f"{name}.views.{path.stem}")
    found: set[type] = set()
    todo: list[type] = [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in ours:
                found.add(sub)
    return found


def test_every_form_field_choosing_a_long_directory_is_a_searchable_picker() -> None:
    classes = project_form_classes()
    assert len(classes) >= 40
    offenders = []
    checked = 0
    for cls in classes:
        for name, field in cls.base_fields.items():
            if not picked_model(field):
                continue
            checked += 1
            if not isinstance(field.widget, Picker | MultiPicker | forms.HiddenInput | forms.MultipleHiddenInput):
                offenders.append(f"{cls.__module__}.{cls.__qualname__}.{name}: {type(field.widget).__name__}")
    assert checked >= 10
    assert not offenders, "\n".join(sorted(offenders))


# --- templates ---------------------------------------------------------------------------------------

TEMPLATES = sorted(p for p in ROOT.rglob("*.html")
                   if "templates" in p.relative_to(ROOT).parts
                   and not {".venv", "var", "node_modules", ".git"} & set(p.relative_to(ROOT).parts))
UNSTYLED = re.compile(r"\.as_(?:p|table|ul|div)\b|{{\s*(?:[\w.]+\.)?form\s*}}|{{\s*(?:[\w.]+\.)?form\|")
COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.DOTALL)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_template_renders_forms_through_the_one_include(path: Path) -> None:
    source = COMMENT.sub("", path.read_text(encoding="utf-8"))
    assert UNSTYLED.findall(source) == [], "render forms with {% include '_form.html' %} or _field.html"


@pytest.mark.parametrize("text", ["{{ form.as_p }}", "{{ form }}", "{{ m.form }}", "{{ form.as_div }}",
                                  "{{ form|safe }}"])
def test_the_template_check_sees_unstyled_forms(text: str) -> None:
    assert UNSTYLED.findall(text)


@pytest.mark.parametrize("text", ["{{ form.name }}", "{{ filter.form.status }}", "{% include '_form.html' %}",
                                  "{{ formset.management_form }}"])
def test_the_template_check_lets_fields_through(text: str) -> None:
    assert not UNSTYLED.findall(text)


# --- rendered pages ----------------------------------------------------------------------------------

STYLED = {"form-control", "form-select", "form-check-input", "btn-check", "form-range", "form-control-plaintext"}
# Buttons are buttons; boxes and radios of a multiple choice are laid out by anzhi.css (core.forms.bootstrap_class).
UNSTYLED_TYPES = {"hidden", "submit", "button", "reset", "image", "checkbox", "radio"}


class _Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("input", "select", "textarea"):
            return
        names = {k: v or "" for k, v in attrs}
        if tag == "input" and names.get("type", "text").lower() in UNSTYLED_TYPES:
            return
        if not STYLED & set(names.get("class", "").split()):
            self.found.append(f"<{tag} name={names.get('name', '')!r} type={names.get('type', '')!r}> "
                              f"at line {self.getpos()[0]} has no Bootstrap control class")


def unstyled_controls(html: str) -> list[str]:
    """Form controls a page shows without the site's one form styling (_field.html, core.forms.bootstrap_class)."""
    reader = _Controls()
    reader.feed(html)
    return reader.found


def test_the_page_check_sees_an_unstyled_control() -> None:
    assert unstyled_controls('<input name="a"><select name="b"></select><textarea name="c"></textarea>')
    assert not unstyled_controls('<input type="hidden" name="a"><input class="form-control" name="b">'
                                 '<select class="form-select"></select><input type="checkbox">'
                                 '<button type="submit">x</button>')
