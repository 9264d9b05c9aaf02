"""火灾事故分级分类预警 and masking for published material.

The founding document (消防安全专项整治三年行动实施方案, 三、(五) 3 "强化事故责任追究和信用联合惩戒") sets the ranges:

    建立火灾事故分级分类预警制度，非生产经营场所一般火灾在事故发生地范围进行信息公开预警，生产经营场所一般火灾在全市范围
    进行信息公开预警，亡人火灾和有较大影响的火灾在全省范围进行信息公开预警。

A fire of grade 较大 or above is taken as 有较大影响 (the same plan: 较大以上火灾 also bring 领导责任)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accidents.choices import Grade, WarningRange

SEED_TEXT = ("非生产经营场所一般火灾在事故发生地范围进行信息公开预警，生产经营场所一般火灾在全市范围进行信息公开预警，"
             "亡人火灾和有较大影响的火灾在全省范围进行信息公开预警。")

# (range, which fires, in the seed's words) — the table the page shows.
FIRE_WARNING_RULES = (
    (WarningRange.PROVINCE, _("亡人火灾、有较大影响的火灾（含较大及以上火灾）")),
    (WarningRange.CITY, _("生产经营场所一般火灾")),
    (WarningRange.LOCAL, _("非生产经营场所一般火灾")),
)


def fire_warning_range(accident: Any) -> str | None:
    """The range a fire's warning is published in; None for an accident that is not a fire."""
    if not accident.is_fire:
        return None
    if accident.deaths > 0 or accident.notable or accident.grade != Grade.GENERAL:
        return WarningRange.PROVINCE
    if accident.business_premises:
        return WarningRange.CITY
    return WarningRange.LOCAL


def mask_name(name: str) -> str:
    """张三 → 张某, 欧阳明华 → 欧阳某某: the surname kept (two characters for a compound surname of four-character
    names), the rest 某, so a published circular names nobody in full."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "某" * (len(name) - keep)
