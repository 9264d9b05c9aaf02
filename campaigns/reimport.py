"""Re-importing a task table as a reviewed diff: which row of the new file is which task already stored.

Rows are never matched by position (one row inserted at the top would re-point every task and its reports).
A new row and a stored task are the same task when, in this order:

1. their text (任务 + 措施) is identical — several identical rows pair in order, the same 序号 first;
2. they carry the same 序号 within the same section (分组) and their texts are similar (a reworded row);
3. their texts are the most similar of all pairs left (a reworded row that was also renumbered).

"Similar" is ``difflib.SequenceMatcher`` ratio ≥ :data:`SIMILAR`. What is left over is added (new rows) or
removed (stored tasks). :func:`diff` is pure (plain values in, plain values out): the preview shows it and the
write applies the very same matching.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

SIMILAR = 0.6
# Beyond this many candidate pairs the third pass (every pair compared) is skipped: rows left are added/removed.
MAX_PAIRS = 400_000

ADDED, CHANGED, UNCHANGED, REMOVED = "added", "changed", "unchanged", "removed"
# The compared fields, in the order a change lists them, with their labels.
FIELDS = (("table_group", _("分组")), ("number", _("序号")), ("title", _("任务")), ("measures", _("措施")),
          ("responsibility_text", _("责任单位")), ("deadline_text", _("完成时限")))


class RowLike(Protocol):
    """What a side of the diff offers: the compared fields as plain text."""

    def fields(self) -> dict[str, str]: ...


@dataclass
class Side:
    values: dict[str, str]
    ref: Any = None  # the ParsedRow or the Task

    def fields(self) -> dict[str, str]:
        return self.values


def text_of(values: dict[str, str]) -> str:
    return f"{values.get('title', '')}\n{values.get('measures', '')}".strip()


def key_of(values: dict[str, str]) -> tuple[str, str] | None:
    no = (values.get("number") or "").strip()
    return ((values.get("table_group") or "").strip(), no) if no else None


def ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def match(old: Sequence[RowLike], new: Sequence[RowLike]) -> dict[int, int]:
    """{index in ``new``: index in ``old``} for the rows that are the same task."""
    old_v = [o.fields() for o in old]
    new_v = [n.fields() for n in new]
    old_t, new_t = [text_of(v) for v in old_v], [text_of(v) for v in new_v]
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    # 1. identical text
    by_text: dict[str, list[int]] = {}
    for i, t in enumerate(old_t):
        by_text.setdefault(t, []).append(i)
    for j, t in enumerate(new_t):
        candidates = [i for i in by_text.get(t, []) if i not in taken]
        if not candidates:
            continue
        same_key = [i for i in candidates if key_of(old_v[i]) is not None and key_of(old_v[i]) == key_of(new_v[j])]
        i = (same_key or candidates)[0]
        pairs[j] = i
        taken.add(i)
    # 2. the same 序号 within the section, and a similar text
    old_keys: dict[tuple[str, str], list[int]] = {}
    for i, v in enumerate(old_v):
        k = key_of(v)
        if k is not None and i not in taken:
            old_keys.setdefault(k, []).append(i)
    new_keys: dict[tuple[str, str], list[int]] = {}
    for j, v in enumerate(new_v):
        k = key_of(v)
        if k is not None and j not in pairs:
            new_keys.setdefault(k, []).append(j)
    for k, js in new_keys.items():
        is_ = old_keys.get(k, [])
        if len(js) == 1 and len(is_) == 1 and ratio(old_t[is_[0]], new_t[js[0]]) >= SIMILAR:
            pairs[js[0]] = is_[0]
            taken.add(is_[0])
    # 3. the most similar pairs left
    left_new = [j for j in range(len(new)) if j not in pairs]
    left_old = [i for i in range(len(old)) if i not in taken]
    if left_new and left_old and len(left_new) * len(left_old) <= MAX_PAIRS:
        scored = []
        for j in left_new:
            matcher = difflib.SequenceMatcher(None, autojunk=False)
            matcher.set_seq2(new_t[j])
            for i in left_old:
                matcher.set_seq1(old_t[i])
                if matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR:
                    r = matcher.ratio()
                    if r >= SIMILAR:
                        scored.append((-r, j, i))
        scored.sort()
        for _r, j, i in scored:
            if j not in pairs and i not in taken:
                pairs[j] = i
                taken.add(i)
    return pairs


@dataclass
class Change:
    kind: str  # ADDED | CHANGED | UNCHANGED | REMOVED
    new: Any = None  # the ParsedRow (None for a removed task)
    old: Any = None  # the Task (None for an added row)
    changed: list[str] = field(default_factory=list)  # field names that differ
    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)


@dataclass
class Diff:
    changes: list[Change]

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def counts(self) -> dict[str, int]:
        return {k: len(self.of(k)) for k in (ADDED, CHANGED, UNCHANGED, REMOVED)}

    @property
    def touches_existing(self) -> bool:
        return bool(self.of(CHANGED) or self.of(REMOVED))


def diff(old: Sequence[Side], new: Sequence[Side]) -> Diff:
    """The changes, in the new file's order, removed tasks last (in their stored order)."""
    pairs = match(old, new)
    changes: list[Change] = []
    for j, n in enumerate(new):
        after = n.fields()
        if j not in pairs:
            changes.append(Change(ADDED, new=n.ref, after=after))
            continue
        o = old[pairs[j]]
        before = o.fields()
        changed = [name for name, _label in FIELDS if (before.get(name) or "") != (after.get(name) or "")]
        changes.append(Change(CHANGED if changed else UNCHANGED, new=n.ref, old=o.ref, changed=changed,
                              before=before, after=after))
    matched = set(pairs.values())
    changes += [Change(REMOVED, old=o.ref, before=o.fields()) for i, o in enumerate(old) if i not in matched]
    return Diff(changes)
