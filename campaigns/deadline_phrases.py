"""Parse deadline phrases as Chinese government offices write them (计划完成时间).

``parse_deadline("2020年8月底前完成")`` gives ``Deadline(kind="date", due=2020-08-31, ...)``.
For a dated phrase ``due`` is the last day of the period the phrase names:

* 2020年8月底 / 2020.8 / 2020-08 / 2020年8月份 -> 2020-08-31
* 2020年 / 2020年底(前) / 2020年内 / 2020年度 -> 2020-12-31; 2020年初 -> 2020-01-31
* 2020年上半年 -> 06-30, 2020年第三季度 -> 09-30
* 2020年6月上旬 / 6月初 -> 06-10, 中旬 -> 06-20, 下旬 -> 06-30
* 2020年至2022年 / 2020-2022年 -> 2022-12-31; 2020年7月至12月 -> 2020-12-31
* a phrase with several dates ("9月底前完成排查，12月底前完成整治") -> the last date in the text.

A month or day without a year takes the year last written earlier in the phrase, else
``default_year``.  After a range connector (至/到/-/~) a yearless date that would fall before
the previous one moves to the next year ("2020年11月至2月" -> 2021-02-28).

Phrases without a date: 长期坚持/定期开展/持续推进/常态化/每月/每季度 -> "recurring";
即时/立即/立行立改 -> "immediate"; 待定/视情况 -> "pending"; 已落实/已完成 -> "done".
A phrase that names a year explicitly is always a "date", even if it also says 长期坚持
("2020年完成，长期坚持" -> 2020-12-31).  A recurring phrase whose dates have no year of their
own ("每年12月底前") stays "recurring", and so does a duty recurring from a year on ("2024年起每年",
"2024年起每半年" -> "half"); 按国家、省统一部署 / 根据…安排 -> "pending"; a time counted from an
event in working days ("收到通知后5个工作日内") -> "relative".

:func:`parse_schedule` reads the same phrase as a plan means it: several dated stages ("2025年底前基本完成，
2026年持续巩固" -> two stages), a recurring duty with its anchor ("每年10月31日前", "每月25日前",
"2024年起每半年"), or a time relative to an event; it never raises (a phrase it cannot read is kept pending,
verbatim, with the reason).

Full-width digits and punctuation (２０２０．１２), Chinese numerals for months and days
(十二月三十一日) and for four-digit years (二〇二〇年) are accepted.

This module has no Django dependency; messages are plain Chinese strings.
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["KINDS", "RECURRENCES", "Cycle", "Deadline", "DeadlineError", "Relative", "Schedule", "Stage",
           "names_a_date", "occurrences", "parse_deadline", "parse_schedule"]

KINDS = ("date", "recurring", "relative", "immediate", "pending", "done")
RECURRENCES = ("monthly", "quarterly", "half", "yearly")


@dataclass(frozen=True)
class Deadline:
    """A parsed 完成时间.

    kind: one of :data:`KINDS`.
    due: for "date" the last day of the named period; for "immediate" the ``today`` passed to
        :func:`parse_deadline` (or None); otherwise None.
    text: the original phrase, stripped.
    recurrence: for "recurring", "monthly" / "quarterly" / "half" / "yearly" when the phrase says so.
    """

    kind: str
    due: datetime.date | None
    text: str
    recurrence: str | None = None


class DeadlineError(ValueError):
    """The phrase is empty, names an impossible date, lacks a year, or is not understood."""

    def __init__(self, message: str, text: str = "") -> None:
        super().__init__(message)
        self.text = text


_CN_DIGITS = "〇一二三四五六七八九"
_CN_YEAR = str.maketrans("〇零一二三四五六七八九", "00123456789")
_CONNECT = "-~—–〜至到"
# 1-31 in Arabic or Chinese numerals (十二, 三十一, 五).
_NUM = r"[0-9]{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"

_TOKEN = re.compile(
    rf"""
      (?<![0-9])(?P<ra>[0-9]{{4}})\s*[{_CONNECT}]\s*(?P<rb>[0-9]{{4}})(?![0-9])   # 2020-2022年
    | (?<![0-9])(?P<ny>[0-9]{{4}})\s*(?P<sep>[./-])\s*(?P<nm>[0-9]{{1,2}})(?![0-9])
      (?:\s*(?P=sep)\s*(?P<nd>[0-9]{{1,2}})(?![0-9]))?                            # 2020.12 / 2020/12/31
    | [{_CONNECT}]\s*(?P<do>{_NUM})\s*[日号]                                        # 7月1日至30日
    | (?:(?<![0-9])(?P<y>[0-9]{{4}})\s*)?
      (?:
          (?:年\s*)?(?:第\s*)?(?<![0-9])(?P<q>[1-4一二三四])\s*季度                   # 第三季度
        | (?:年\s*)?(?P<h>[上下])半年                                               # 上半年
        | 年\s*(?P<ye>底|末|终|内|初(?!步))                                          # 年底
        | (?:年\s*)?(?<![0-9])(?P<m>{_NUM})\s*月份?\s*                               # 8月
          (?:(?P<d>{_NUM})\s*[日号]|(?P<ms>上旬|中旬|下旬|初(?!步)|底|末))?            # 31日 / 底
        | (?P<yo>年)                                                              # 2020年
      )
    """,
    re.VERBOSE,
)

_DONE = re.compile(r"已经?(?:落实|完成|完结|办结|整改到位|整改完成)")
_PENDING = re.compile(r"待定|待明确|视情况|另行(?:通知|确定|安排|部署)|(?:按照?|根据|遵照)[^，,。；;]{0,20}?(?:部署|安排)"
                      r"|统一部署")
_IMMEDIATE = re.compile(r"即时|立即|立行立改|即查即改|即知即改|马上|即刻|及时")
_RECURRING = re.compile(
    r"长期|持续|定期|常态|经常|日常|坚持|始终|动态|不定期|每个?[日天周月季年]|每半个?年|按[月季年]|逐[月季年]"
)
# "2024年起每年": a duty that recurs from a year on, not a date in that year.
_SINCE = re.compile(r"[0-9]{4}\s*年\s*(?:起|开始|以来)\s*[，,]?\s*每")
_RECURRENCE = re.compile(
    r"(?P<monthly>每个?月|按月|逐月)|(?P<quarterly>每个?季|按季|逐季)|(?P<half>每半个?年)|(?P<yearly>每年|按年|逐年)"
)

# "收到通知后5个工作日内", "自发现之日起3个工作日内": working days counted from an event.
_RELATIVE = re.compile(
    rf"(?P<event>[^，,；;。]*?)(?:之日)?\s*(?:起|后|以后|之后)?\s*(?P<n>[0-9]{{1,3}}|{_NUM})\s*个?\s*工作日"
)


def _normalize(text: str) -> str:
    # Circled/enclosed numbers (①) are list markers; NFKC would glue them to the date digits.
    text = "".join(" " if unicodedata.category(c) == "No" else c for c in text)
    text = unicodedata.normalize("NFKC", text)  # full-width digits and punctuation -> ASCII
    text = re.sub(r"[〇零一二三四五六七八九]{4}(?=\s*年)", lambda m: m[0].translate(_CN_YEAR), text)
    return re.sub(r"([0-9]{4}\s*年)\s*年", r"\1", text)  # 2020年年底 -> 2020年底


def _num(s: str) -> int:
    if s.isascii():
        return int(s)
    if "十" in s:
        tens, _, units = s.partition("十")
        return (_CN_DIGITS.index(tens) if tens else 1) * 10 + (_CN_DIGITS.index(units) if units else 0)
    return _CN_DIGITS.index(s)


def _day(phrase: str, year: int, month: int, day: int | None) -> datetime.date:
    """The given day, or the last day of the month when ``day`` is None."""
    try:
        if day is None:
            day = calendar.monthrange(year, month)[1]
        return datetime.date(year, month, day)
    except (ValueError, OverflowError):
        shown = f"{year}年{month}月" + (f"{day}日" if day is not None else "")
        raise DeadlineError(f"完成时间“{phrase}”中的日期无效：{shown}", phrase) from None


def _token_date(
    t: re.Match[str], year: int, month: int | None, phrase: str
) -> tuple[datetime.date, int | None]:
    """End date of one matched token, and the month it leaves as context."""
    if t["ra"] or t["yo"] or t["ye"] in ("底", "末", "终", "内"):
        return _day(phrase, year, 12, 31), None
    if t["ye"]:  # 年初
        return _day(phrase, year, 1, None), 1
    if t["ny"]:
        m = int(t["nm"])
        return _day(phrase, year, m, int(t["nd"]) if t["nd"] else None), m
    if t["do"]:
        assert month is not None
        return _day(phrase, year, month, _num(t["do"])), month
    if t["q"]:
        m = 3 * _num(t["q"])
        return _day(phrase, year, m, None), m
    if t["h"]:
        m = 6 if t["h"] == "上" else 12
        return _day(phrase, year, m, None), m
    m = _num(t["m"])
    if t["d"]:
        return _day(phrase, year, m, _num(t["d"])), m
    day = {"上旬": 10, "初": 10, "中旬": 20}.get(t["ms"] or "")
    return _day(phrase, year, m, day), m


def _last_date(
    tokens: list[re.Match[str]], norm: str, phrase: str, default_year: int | None
) -> datetime.date | None:
    year, month = default_year, None
    last: datetime.date | None = None
    end = 0
    for t in tokens:
        gap = norm[end : t.start()].strip()
        end = t.end()
        own_year = t["rb"] or t["ny"] or t["y"]
        if own_year:
            year = int(own_year)
        elif t["do"] and (month is None or year is None):
            continue  # "至30日" with no month before it: ignore
        elif year is None:
            raise DeadlineError(f"完成时间“{phrase}”未写明年份，且未提供默认年份", phrase)
        due, new_month = _token_date(t, year, month, phrase)
        ranged = len(gap) == 1 and gap in _CONNECT
        if not own_year and not t["do"] and ranged and last is not None and due < last:
            year += 1  # 2020年11月至2月: the second month is in the next year
            due, new_month = _token_date(t, year, month, phrase)
        month, last = new_month, due
    return last


def names_a_date(text: str) -> bool:
    """Whether the phrase writes a date at all (a year, a month, a day): an undated phrase ("按国家、省统一部署",
    "彻底整治") may be kept as written with no deadline; a dated one the parser cannot read is an error."""
    norm = _normalize((text or "").strip())
    return any(not (t["yo"] and not t["y"]) for t in _TOKEN.finditer(norm)) or bool(re.search(r"\d", norm))


def parse_deadline(
    text: str, *, default_year: int | None = None, today: datetime.date | None = None
) -> Deadline:
    """Parse a 计划完成时间 phrase.

    default_year: the year for phrases that give none (12月底前, 年底前), usually the year of
        the plan.  Without it such phrases raise :class:`DeadlineError`.
    today: becomes ``due`` of an "immediate" phrase (即时/立即); None leaves it None.
    """
    phrase = (text or "").strip()
    if not phrase:
        raise DeadlineError("完成时间为空", phrase)
    norm = _normalize(phrase)
    tokens = [t for t in _TOKEN.finditer(norm) if not (t["yo"] and not t["y"])]
    if not tokens and _RELATIVE.search(norm):
        return Deadline("relative", None, phrase)
    explicit_year = any(t["rb"] or t["ny"] or t["y"] for t in tokens)
    recurring = _RECURRING.search(norm)
    since = _SINCE.search(norm)
    if tokens and (explicit_year or not recurring) and not since:
        due = _last_date(tokens, norm, phrase, default_year)
        if due is not None:
            return Deadline("date", due, phrase)
    if _DONE.search(norm):
        return Deadline("done", None, phrase)
    if _PENDING.search(norm):
        return Deadline("pending", None, phrase)
    if _IMMEDIATE.search(norm):
        return Deadline("immediate", today, phrase)
    if recurring:
        every = _RECURRENCE.search(norm)
        return Deadline("recurring", None, phrase, every.lastgroup if every else None)
    raise DeadlineError(f"无法识别的完成时间：“{phrase}”", phrase)


# -- schedules: stages, recurring duties, relative deadlines ----------------------------------

@dataclass(frozen=True)
class Stage:
    """One dated stage of a phrase: its clause as written and the last day it names."""

    due: datetime.date
    text: str


@dataclass(frozen=True)
class Cycle:
    """A recurring duty and its anchor: every ``every`` ("monthly", "quarterly", "half", "yearly"), due
    on ``day`` of ``month`` of the period ("每年10月31日前": month 10, day 31; "每月25日前": day 25; None =
    the period's last month / last day), from the year ``since`` on ("2024年起每年") when given."""

    every: str
    month: int | None = None
    day: int | None = None
    since: int | None = None


@dataclass(frozen=True)
class Relative:
    """``workdays`` working days after an event (``event`` as written, may be empty)."""

    workdays: int
    event: str


@dataclass(frozen=True)
class Schedule:
    """A phrase read as a plan means it. ``kind``: "stages" (one or more dated stages), "recurring"
    (``cycle``, possibly with dated ``stages`` too: "2020年底前完成，此后每年复查"), "relative", or one of
    "immediate" / "pending" / "done" / "none". ``text`` is the phrase, stripped; ``error`` says why a
    phrase that names a date was kept pending."""

    kind: str
    text: str
    stages: tuple[Stage, ...] = ()
    cycle: Cycle | None = None
    relative: Relative | None = None
    error: str = ""

    @property
    def last_due(self) -> datetime.date | None:
        return max((s.due for s in self.stages), default=None)


SCHEDULE_KINDS = ("stages", "recurring", "relative", "immediate", "pending", "done", "none")
_CLAUSE = re.compile(r"[^，,；;。\n]+")
_CYCLE_ANCHOR = re.compile(
    rf"每(?:个)?(?:年|季度?|半年|月)\s*(?:的)?\s*(?:(?:第\s*)?(?P<m>{_NUM})\s*个?月份?|(?P<lastm>末月|最后一个月))?"
    rf"\s*(?:(?P<d>{_NUM})\s*[日号]|(?P<end>底|末))?"
)
_SINCE_YEAR = re.compile(r"(?P<y>[0-9]{4})\s*年\s*(?:起|开始|以来)")
_SINCE_ONLY = re.compile(r"(?:自|从)?\s*[0-9]{4}\s*年\s*(?:起|开始|以来)")
_PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "half": 6, "yearly": 12}


def _cycle(norm: str, whole: str = "") -> Cycle | None:
    every = _RECURRENCE.search(norm)
    if every is None:
        return None
    kind = every.lastgroup or "yearly"
    month = day = None
    anchor = _CYCLE_ANCHOR.search(norm, every.start())
    if anchor is not None and anchor.start() == every.start():
        if anchor["m"] and kind != "monthly":
            month = _num(anchor["m"])
        elif anchor["lastm"] and kind != "monthly":
            month = _PERIOD_MONTHS[kind]
        if anchor["d"]:
            day = _num(anchor["d"])
    if month is not None and not 1 <= month <= _PERIOD_MONTHS[kind]:
        month = None  # "每季度13月": not an anchor inside the period
    if day is not None and not 1 <= day <= 31:
        day = None
    since = _SINCE_YEAR.search(whole or norm)
    return Cycle(kind, month, day, int(since["y"]) if since else None)


def _relative(norm: str) -> Relative | None:
    m = _RELATIVE.search(norm)
    if m is None:
        return None
    n = _num(m["n"])
    event = re.sub(r"^\s*(?:自|从|在)?", "", m["event"]).strip()
    event = re.sub(r"(?:之日)?\s*(?:起|后|以后|之后)\s*$", "", event).strip()
    return Relative(n, event) if n > 0 else None


def parse_schedule(text: str, *, default_year: int | None = None) -> Schedule:
    """Read a 计划完成时间 phrase as dated stages, a recurring duty or a relative deadline; never raises.

    Each clause (split at ，；。 and line breaks) that names a date is a stage, due on the last day it
    names; a yearless clause takes the year of the stage before it, else ``default_year``. A clause
    that says 每年/每月/每季度/每半年 (with its anchor, "每年10月31日前") is the duty's cycle, and
    "2024年起每年" is a cycle from 2024, not a stage. A phrase that names a date the parser cannot read
    is kept pending with its text and the reason."""
    phrase = (text or "").strip()
    if not phrase:
        return Schedule("none", phrase)
    try:
        norm = _normalize(phrase)
        stages: list[Stage] = []
        cycle: Cycle | None = None
        year = default_year
        for clause in _CLAUSE.finditer(norm):
            part = clause[0].strip()
            if not part:
                continue
            if _RECURRENCE.search(part):
                cycle = cycle or _cycle(part, norm)
                continue
            if _SINCE_ONLY.fullmatch(part):
                continue  # "2024年起，每半年…": the year the cycle starts, not a stage
            try:
                parsed = parse_deadline(part, default_year=year)
            except DeadlineError:
                if names_a_date(part) and not _RELATIVE.search(part):
                    raise
                continue
            if parsed.kind == "date" and parsed.due is not None:
                # The clause as written when normalising kept the offsets (full-width text does).
                same = len(norm) == len(phrase)
                stages.append(Stage(parsed.due, phrase[clause.start():clause.end()].strip() if same else part))
                year = parsed.due.year
        if cycle is None and _RECURRENCE.search(norm):
            cycle = _cycle(norm)
        if cycle is not None:
            return Schedule("recurring", phrase, tuple(stages), cycle)
        if stages:
            return Schedule("stages", phrase, tuple(stages))
        whole = parse_deadline(phrase, default_year=default_year)
    except DeadlineError as exc:
        return Schedule("pending", phrase, error=str(exc))
    except (ValueError, OverflowError, IndexError) as exc:  # an out-of-range year or numeral
        return Schedule("pending", phrase, error=f"完成时间“{phrase}”无法识别：{exc}")
    if whole.kind == "relative":
        rel = _relative(norm)
        return Schedule("relative", phrase, relative=rel) if rel else Schedule("pending", phrase)
    if whole.kind == "recurring":
        # 长期坚持 / 定期开展: ongoing, with no period to generate due dates from.
        return Schedule("recurring", phrase, cycle=Cycle(whole.recurrence) if whole.recurrence else None)
    if whole.kind == "date" and whole.due is not None:  # a date the clause split could not see
        return Schedule("stages", phrase, (Stage(whole.due, phrase),))
    return Schedule(whole.kind, phrase)


def occurrences(cycle: Cycle, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The due dates of ``cycle`` that fall within [start, end], in order: one per period (month, quarter,
    half-year, year), on the anchor day of the anchor month of the period, or its last day (a day past
    the month's end is its last day: 每月31日 in February is the 28th or 29th)."""
    if end < start:
        return []
    months = _PERIOD_MONTHS[cycle.every]
    first_year = max(start.year, cycle.since or start.year)
    out: list[datetime.date] = []
    for year in range(first_year, end.year + 1):
        for period_start in range(1, 13, months):
            month = period_start + (cycle.month or months) - 1
            last = calendar.monthrange(year, month)[1]
            due = datetime.date(year, month, min(cycle.day or last, last))
            if start <= due <= end:
                out.append(due)
    return out
