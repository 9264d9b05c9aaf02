"""Accident grade and the casualty-revision window, from the national rules.

《生产安全事故报告和调查处理条例》(国务院令第493号, 2007):

- 第三条 grades an accident by the casualties or the direct economic loss it caused, the highest reached:
  特别重大事故: 30人以上死亡, 或者100人以上重伤（包括急性工业中毒）, 或者1亿元以上直接经济损失;
  重大事故: 10人以上30人以下死亡, 或者50人以上100人以下重伤, 或者5000万元以上1亿元以下直接经济损失;
  较大事故: 3人以上10人以下死亡, 或者10人以上50人以下重伤, 或者1000万元以上5000万元以下直接经济损失;
  一般事故: 3人以下死亡, 或者10人以下重伤, 或者1000万元以下直接经济损失.
  "本条第一款所称的'以上'包括本数，所称的'以下'不包括本数。"
- 第十三条: 事故报告后出现新情况的，应当及时补报。自事故发生之日起30日内，事故造成的伤亡人数发生变化的，应当及时
  补报。道路交通事故、火灾事故自发生之日起7日内，事故造成的伤亡人数发生变化的，应当及时补报。

The direct economic loss is kept in 万元 (ten thousand yuan), as accident statistics report it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accidents.choices import Grade

SOURCE = "《生产安全事故报告和调查处理条例》（国务院令第493号）第三条"
REVISION_SOURCE = "《生产安全事故报告和调查处理条例》（国务院令第493号）第十三条"

# (grade, deaths at least, serious injuries at least, direct loss at least in 万元), highest first.
THRESHOLDS: tuple[tuple[str, int, int, Decimal], ...] = (
    (Grade.GRAVE, 30, 100, Decimal("10000")),   # 1亿元
    (Grade.MAJOR, 10, 50, Decimal("5000")),     # 5000万元
    (Grade.LARGER, 3, 10, Decimal("1000")),     # 1000万元
)

REVISION_DAYS = 30
REVISION_DAYS_ROAD_FIRE = 7


def grade_for(deaths: int, serious_injuries: int, direct_loss: Decimal | int | None) -> str:
    """The grade by 第三条: the highest grade any one of the three measures reaches ("以上" includes the number)."""
    loss = Decimal(direct_loss or 0)
    for grade, min_deaths, min_serious, min_loss in THRESHOLDS:
        if deaths >= min_deaths or serious_injuries >= min_serious or loss >= min_loss:
            return grade
    return Grade.GENERAL


def revision_days(*, road_traffic: bool, fire: bool) -> int:
    return REVISION_DAYS_ROAD_FIRE if road_traffic or fire else REVISION_DAYS


def revision_last_day(occurred_on: dt.date, *, road_traffic: bool, fire: bool) -> dt.date:
    """The last day a change of casualties may still be reported. A period in days does not count the day it
    starts on (民法典第二百零一条第一款: "开始的当日不计入，自下一日开始计算"), so an accident of 1 May may be revised
    until 31 May (until 8 May for road traffic and fire accidents)."""
    return occurred_on + dt.timedelta(days=revision_days(road_traffic=road_traffic, fire=fire))
