from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from core.formats import cn_date, cn_datetime, plain_number

register = template.Library()

register.filter("cn_date", cn_date)
register.filter("cn_datetime", cn_datetime)
register.filter("plain_number", plain_number)


@register.simple_tag(takes_context=True)
def querystring_with(context: template.Context, **kwargs: Any) -> str:
    """The current query string with some parameters replaced (for sort links and pages)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def import_limits() -> str:
    """The import ceilings, for the upload pages (settings ANZHI_IMPORT_*)."""
    from django.conf import settings

    return _("每个文件不超过 %(mb)s MB、%(rows)s 行；超过 %(bg)s 行的文件在后台导入，页面会显示进度。") % {
        "mb": f"{settings.ANZHI_IMPORT_MAX_BYTES / (1024 * 1024):g}", "rows": settings.ANZHI_IMPORT_MAX_ROWS,
        "bg": settings.ANZHI_IMPORT_BACKGROUND_ROWS}


@register.filter
def readable_history(events: Any) -> list[Any]:
    """An object's change events as a person reads them (``core.history.readable``)."""
    from core.history import readable

    return readable(events or [])


@register.filter
def styled(field: Any) -> Any:
    """A bound field rendered with its Bootstrap class (``templates/_field.html``: one form rendering for the
    site), unless the form gave the widget a class of its own."""
    from core.forms import bootstrap_class

    css = bootstrap_class(field.field.widget)
    if field.field.widget.attrs.get("class") or not css:
        return field
    return field.as_widget(attrs={"class": css})
