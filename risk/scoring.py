"""Pure scoring: LEC (D = L×E×C), risk matrix (R = L×S), direct determination, and the grade rules.

No database access here: the thresholds come in as ``Bands`` (built from a GradingScheme row by the
caller), so every boundary can be tested directly. Values are Decimals so 0.1 × 10 × 1 is exactly 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from risk.choices import GRADE_RANK, Grade, Method

# rules.md 4.2 (value: description)
LEC_L: dict[Decimal, str] = {
    Decimal("10"): "完全可以预料", Decimal("6"): "相当可能", Decimal("3"): "可能，但不经常",
    Decimal("1"): "可能性小，完全意外", Decimal("0.5"): "很不可能，可以设想", Decimal("0.2"): "极不可能",
    Decimal("0.1"): "实际不可能",
}
LEC_E: dict[Decimal, str] = {
    Decimal("10"): "连续暴露", Decimal("6"): "每天工作时间内暴露", Decimal("3"): "每周一次，或偶然暴露",
    Decimal("2"): "每月一次暴露", Decimal("1"): "每年几次暴露", Decimal("0.5"): "非常罕见地暴露",
}
LEC_C: dict[Decimal, str] = {
    Decimal("100"): "大灾难，许多人死亡", Decimal("40"): "灾难，数人死亡", Decimal("15"): "非常严重，一人死亡",
    Decimal("7"): "严重，重伤", Decimal("3"): "重大，致残", Decimal("1"): "引人注目，需要救护",
}
# rules.md 4.3, the usual 5×5 scale
LS_L: dict[Decimal, str] = {
    Decimal("5"): "无防范、监测、控制措施，或正常情况下经常发生", Decimal("4"): "措施不完善，危害常发生或在预期中",
    Decimal("3"): "措施落实不到位，过去曾经发生", Decimal("2"): "措施有效但偶尔失效，危害偶尔发生",
    Decimal("1"): "措施完善有效，极不可能发生",
}
LS_S: dict[Decimal, str] = {
    Decimal("5"): "死亡或重大经济损失", Decimal("4"): "丧失劳动能力或较大经济损失", Decimal("3"): "截肢、骨折、听力丧失",
    Decimal("2"): "轻微受伤、间歇不舒服", Decimal("1"): "无伤亡，损失轻微",
}
TABLES: dict[str, dict[str, dict[Decimal, str]]] = {
    Method.LEC: {"l": LEC_L, "e": LEC_E, "c": LEC_C},
    Method.LS: {"l": LS_L, "s": LS_S},
}


@dataclass(frozen=True)
class Bands:
    """Thresholds to the four grades. ``inclusive`` False: value > red → 红 (LEC: D > 320);
    True: value ≥ red → 红 (LS: R ≥ 20)."""

    red: Decimal
    orange: Decimal
    yellow: Decimal
    inclusive: bool = False

    def __post_init__(self) -> None:
        if not (self.red > self.orange > self.yellow):
            raise ValueError("thresholds must decrease: red > orange > yellow")

    def describe(self, label: str = "D") -> list[tuple[str, str]]:
        """Human-readable ranges, most severe first."""
        op, rev = ("≥", "<") if self.inclusive else (">", "≤")
        r, o, y = (_fmt(self.red), _fmt(self.orange), _fmt(self.yellow))
        return [
            (Grade.RED, f"{label} {op} {r}"),
            (Grade.ORANGE, f"{o} {'≤' if self.inclusive else '<'} {label} {rev} {r}"),
            (Grade.YELLOW, f"{y} {'≤' if self.inclusive else '<'} {label} {rev} {o}"),
            (Grade.BLUE, f"{label} {rev} {y}"),
        ]


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


LEC_DEFAULT = Bands(Decimal(320), Decimal(160), Decimal(70), inclusive=False)
LS_DEFAULT = Bands(Decimal(20), Decimal(15), Decimal(9), inclusive=True)
DEFAULT_BANDS: dict[str, Bands] = {Method.LEC: LEC_DEFAULT, Method.LS: LS_DEFAULT}


def grade_for(value: Decimal, bands: Bands) -> str:
    def above(threshold: Decimal) -> bool:
        return value >= threshold if bands.inclusive else value > threshold

    if above(bands.red):
        return Grade.RED
    if above(bands.orange):
        return Grade.ORANGE
    if above(bands.yellow):
        return Grade.YELLOW
    return Grade.BLUE


def _pick(table: dict[Decimal, str], value: Decimal | float | int | str, name: str) -> Decimal:
    d = Decimal(str(value))
    if d not in table:
        allowed = "、".join(_fmt(k) for k in table)
        raise ValueError(f"{name} 的取值 {value} 不在标准取值表中（可选：{allowed}）")
    return d


def lec_value(l: Decimal | float | str, e: Decimal | float | str, c: Decimal | float | str) -> Decimal:  # noqa: E741
    return _pick(LEC_L, l, "L") * _pick(LEC_E, e, "E") * _pick(LEC_C, c, "C")


def ls_value(l: Decimal | int | str, s: Decimal | int | str) -> Decimal:  # noqa: E741
    return _pick(LS_L, l, "L") * _pick(LS_S, s, "S")


@dataclass(frozen=True)
class Result:
    method: str
    value: Decimal | None
    grade: str
    score_grade: str | None  # the grade the score alone gives (None for pure direct determination)
    direct: bool


def assess(*, method: str, inputs: dict[str, Decimal | float | int | str], bands: Bands | None = None,
           direct_major: bool = False) -> Result:
    """Score and grade. ``direct_major``: a condition meeting a major-hazard criterion (重大事故隐患判定标准
    item, 重大危险源 …) makes the point 红 whatever the score (rules.md 4.1 直接判定)."""
    bands = bands or DEFAULT_BANDS.get(method)
    value: Decimal | None = None
    score_grade: str | None = None
    if method == Method.LEC:
        value = lec_value(inputs["l"], inputs["e"], inputs["c"])
    elif method == Method.LS:
        value = ls_value(inputs["l"], inputs["s"])
    elif method != Method.DIRECT:
        raise ValueError(f"unknown method {method}")
    if value is not None:
        assert bands is not None
        score_grade = grade_for(value, bands)
    if method == Method.DIRECT and not direct_major:
        raise ValueError("直接判定须满足重大风险判定条件")
    grade = Grade.RED if direct_major else score_grade
    assert grade is not None
    return Result(method, value, grade, score_grade, direct_major)


def highest(grades: Iterable[str | None]) -> str | None:
    """从严从高 (rules.md 4.1): the most severe grade, or None when nothing is assessed."""
    best: str | None = None
    for g in grades:
        if g and (best is None or GRADE_RANK[g] > GRADE_RANK[best]):
            best = g
    return best
