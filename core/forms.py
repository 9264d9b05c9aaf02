"""Form helpers shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


def add_service_message(request: Any, exc: ValidationError | PermissionDenied) -> None:
    """Show a service's Chinese message at the top of the next page (a refused button, not a form)."""
    from django.contrib import messages

    if isinstance(exc, ValidationError):
        text = "；".join(exc.messages)
    else:
        text = str(exc) or _("您没有执行此操作的权限。")
    messages.error(request, text)


def add_service_error(form: Any, exc: ValidationError | PermissionDenied) -> None:
    """Put a service's Chinese message next to the field it names, or on top of the form.

    Services check the rules and raise ValidationError({field: message}) or PermissionDenied; the page
    keeps what was typed and shows the message where it belongs."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, str(exc) or _("您没有执行此操作的权限。"))


def bootstrap_class(widget: Any) -> str:
    """The Bootstrap class of a widget: select, check box or text control (none for a multiple choice of boxes)."""
    from django import forms

    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return ""  # the class would also land on the wrapping <div>; the boxes are laid out by anzhi.css
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):  # SelectMultiple too
        return "form-select"
    return "form-control"


def style_widgets(form: Any) -> None:
    """Give every widget of a form its Bootstrap class, unless it has one."""
    for field in form.fields.values():
        css = bootstrap_class(field.widget)
        if css:
            field.widget.attrs.setdefault("class", css)


class Styled:
    """Mixin for a form whose fields a template places one by one (a row of controls, a formset table):
    every widget gets its Bootstrap class when the form is built, as ``_field.html`` gives it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        style_widgets(self)


class StyledForm(Styled, forms.Form):
    """A form whose every control carries the site's one form styling wherever a template puts it."""


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (photos from a phone, evidence): cleans to a list, empty when none."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []
