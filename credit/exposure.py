"""The 曝光台 section of the 严重失信主体名单 (tips.exposure): entries listed today, until their period ends or they
are removed (移出), then they leave the page. Personal names in the grounds are masked (tips.services.mask_personal,
with the enterprise's legal representative, principal and safety manager); a 个体工商户 is named like a person
(enforcement.services.public_target_name). No personal data of the enterprise's people is shown."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tips.exposure import ExposureItem, ExposureSource, register_exposure_source


def people(enterprise: object) -> list[str]:
    return [n for n in (getattr(enterprise, "legal_representative", ""), getattr(enterprise, "principal", ""),
                        getattr(enterprise, "safety_manager", "")) if n]


def public_grounds(entry: object) -> str:
    from tips.services import mask_personal

    return mask_personal(entry.grounds, people(entry.enterprise))  # type: ignore[attr-defined]


def blacklist_items(today: dt.date) -> list[ExposureItem]:
    from credit.models import BlacklistEntry
    from credit.selectors import live_blacklist_q
    from enforcement.services import public_target_name

    rows = (BlacklistEntry.objects.filter(live_blacklist_q(today)).select_related("enterprise", "department")
            .order_by("-listed_on", "-pk")[:200])
    return [ExposureItem(
        title=_("严重失信主体"), subject=public_target_name(e.enterprise.name, credit_code=e.enterprise.credit_code),
        grounds=public_grounds(e), since=e.listed_on, until=e.expires_on,
        detail=_("认定部门：%(d)s") % {"d": e.department.name}) for e in rows]


def register() -> None:
    register_exposure_source(ExposureSource(key="credit.blacklist", label=gettext_lazy("严重失信主体名单"),
                                            items=blacklist_items, order=30))
