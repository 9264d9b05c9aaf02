"""The verifiable 双随机 draw: a pure function of (population snapshot, parameters, seed) → result.

Standard library only, no Django: this file is shipped verbatim in every draw's export next to
``verify_draw.py``, so anyone can read it and re-run a draw from the exported files.

Rules relied on (shared/reference/rules.md §5):
- 国办发〔2015〕58号 (二): targets drawn at random from the 检查对象名录库 and inspectors from the 执法检查人员名录库;
  (三): ratios/frequencies per stratum, heavier sampling of enterprises with complaints, abnormal listings or
  violations (integer ``weights``), and no over-inspection (``cap_left``: an enterprise at its yearly cap is not
  eligible);
- 行政处罚法第四十二条: at least two inspectors per target (``teams`` must add up to 2 or more);
- 行政处罚法第四十三条: recusal — declared conflicts (targets and places), optionally the inspector's own township,
  and (利州 practice in §5.3, "确保每次双随机人员不同") the inspectors of the target's last inspection.

Randomness: every random integer comes from SHA-256 in counter mode over the seed and a label, reduced by
rejection sampling (no modulo bias, no floating point), so the result is the same on every machine. Targets are
drawn per stratum with probability proportional to their integer weight, without replacement (a Fenwick tree),
from the population sorted by id; the input order never matters.

Commitment and seed: before the draw the platform publishes ``commitment(...)`` — the SHA-256 of the canonical
population, inspectors and parameters, the description of a public value fixed in advance but not yet known (a
closing index, a lottery number), and the hashes of the operator's and the witness's secret inputs. At the draw
the public value is entered and both secrets revealed; ``derive_seed`` hashes them with the commitment. No party
can choose the seed alone, and nothing about the inputs can change after the commitment without changing it.
"""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from typing import Any

ALGORITHM = "anzhi-draw-v1"
MIN_INSPECTORS = 2  # 行政处罚法第四十二条
MIN_SECRET = 8


class DrawError(ValueError):
    """Inputs a draw cannot be made from (the message says which)."""


# -- canonical form and hashes ---------------------------------------------------------------------------

def canonical(obj: Any) -> bytes:
    """The one byte form of a JSON value that every hash is taken over."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def secret_hash(secret: str) -> str:
    """What is committed for a secret input (the operator's, the witness's)."""
    return sha256_hex(canonical(["anzhi-draw-secret", secret]))


def commitment_document(*, population: list[dict[str, Any]], inspectors: list[dict[str, Any]],
                        parameters: dict[str, Any], public_source: str, operator_commit: str,
                        witness_commit: str) -> dict[str, Any]:
    return {
        "algorithm": ALGORITHM,
        "population_sha256": sha256_hex(canonical(population)),
        "inspectors_sha256": sha256_hex(canonical(inspectors)),
        "parameters_sha256": sha256_hex(canonical(parameters)),
        "public_source": public_source,
        "operator_commit": operator_commit,
        "witness_commit": witness_commit,
    }


def commitment(document: dict[str, Any]) -> str:
    return sha256_hex(canonical(document))


def derive_seed(*, commitment_hex: str, public_value: str, operator_secret: str, witness_secret: str) -> str:
    return sha256_hex(canonical({"commitment": commitment_hex, "public_value": public_value,
                                 "operator_secret": operator_secret, "witness_secret": witness_secret}))


# -- random integers --------------------------------------------------------------------------------------

class Stream:
    """Deterministic uniform integers from (seed, label): SHA-256 in counter mode, 64 bits at a time."""

    def __init__(self, seed: str, label: str) -> None:
        self._prefix = hashlib.sha256(canonical([ALGORITHM, seed, label])).digest()
        self._counter = 0
        self._buffer: list[int] = []

    def _next64(self) -> int:
        if not self._buffer:
            block = hashlib.sha256(self._prefix + self._counter.to_bytes(8, "big")).digest()
            self._counter += 1
            self._buffer = [int.from_bytes(block[i:i + 8], "big") for i in (24, 16, 8, 0)]
        return self._buffer.pop()

    def below(self, n: int) -> int:
        """A uniform integer in [0, n)."""
        if n <= 0:
            raise DrawError("empty range")
        limit = (1 << 64) - ((1 << 64) % n)
        while True:
            x = self._next64()
            if x < limit:
                return x % n


class _Fenwick:
    def __init__(self, weights: list[int]) -> None:
        n = len(weights)
        tree = [0] * (n + 1)
        for i, w in enumerate(weights, 1):
            tree[i] += w
            j = i + (i & -i)
            if j <= n:
                tree[j] += tree[i]
        self.tree = tree
        self.n = n
        self.total = sum(weights)
        self.top = 1 << (n.bit_length() - 1) if n else 0

    def add(self, i: int, delta: int) -> None:
        self.total += delta
        i += 1
        while i <= self.n:
            self.tree[i] += delta
            i += i & -i

    def find(self, r: int) -> int:
        """The index whose cumulative weight range holds ``r`` (0 <= r < total)."""
        pos = 0
        step = self.top
        tree = self.tree
        while step:
            nxt = pos + step
            if nxt <= self.n and tree[nxt] <= r:
                pos = nxt
                r -= tree[nxt]
            step >>= 1
        return pos


# -- parameters -------------------------------------------------------------------------------------------

def _ratio(text: Any) -> Fraction:
    try:
        value = Fraction(str(text))
    except (ValueError, ZeroDivisionError) as exc:
        raise DrawError(f"ratio {text!r} is not a number") from exc
    if not 0 <= value <= 1:
        raise DrawError(f"ratio {text!r} is not between 0 and 1")
    return value


def _requested(stratum: dict[str, Any], size: int) -> int:
    if "count" in stratum:
        count = stratum["count"]
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise DrawError(f"count of stratum {stratum.get('key')!r} must be a whole number")
        return count
    if "ratio" in stratum:
        ratio = _ratio(stratum["ratio"]) * size
        return ratio.numerator // ratio.denominator + (1 if ratio.numerator % ratio.denominator else 0)  # ceiling
    raise DrawError(f"stratum {stratum.get('key')!r} needs a count or a ratio")


def weight_of(target: dict[str, Any], parameters: dict[str, Any]) -> int:
    """The integer weight of a target: 1 plus the stated increments per complaint, violation … (each factor
    counted up to ``weight_factor_cap``)."""
    weight = 1
    cap = parameters.get("weight_factor_cap", 5)
    for factor, increment in sorted((parameters.get("weights") or {}).items()):
        value = target.get(factor) or 0
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise DrawError(f"target {target.get('id')!r}: {factor} must be a whole number")
        weight += int(increment) * min(value, cap)
    return weight


def _teams(parameters: dict[str, Any]) -> list[tuple[str | None, int]]:
    teams = parameters.get("teams") or [{"group": None, "count": MIN_INSPECTORS}]
    out = []
    for team in teams:
        count = team.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise DrawError("each team needs a whole number of inspectors")
        out.append((team.get("group"), count))
    if sum(c for _g, c in out) < MIN_INSPECTORS:
        raise DrawError("at least two inspectors per target (行政处罚法第四十二条)")
    return out


# -- eligibility ------------------------------------------------------------------------------------------

def recused(inspector: dict[str, Any], target: dict[str, Any], parameters: dict[str, Any]) -> str | None:
    """Why ``inspector`` may not inspect ``target`` (None: they may). Load limits are not recusal."""
    if target["id"] in (inspector.get("conflicts") or ()):
        return "declared"
    place = target.get("place") or ""
    if any(place.startswith(p) for p in (inspector.get("conflict_places") or ()) if p):
        return "place"
    if (parameters.get("recuse_same_township") and inspector.get("township")
            and inspector.get("township") == target.get("township")):
        return "township"
    if parameters.get("recuse_last_time", True) and inspector["id"] in (target.get("last_inspectors") or ()):
        return "last_time"
    if parameters.get("match_specialty") and target.get("domains"):
        if not set(target["domains"]) & set(inspector.get("specialties") or ()):
            return "specialty"
    return None


# -- the draw ---------------------------------------------------------------------------------------------

def run(population: list[dict[str, Any]], inspectors: list[dict[str, Any]], parameters: dict[str, Any],
        seed: str) -> dict[str, Any]:
    """Draw targets and inspectors. ``population``: dicts with ``id`` (unique text), ``stratum``, optional
    ``cap_left`` (inspections still allowed this year; below 1 means not eligible), ``place``, ``township``,
    ``domains``, ``last_inspectors`` and the weight factors. ``inspectors``: dicts with ``id``, optional
    ``group``, ``township``, ``conflicts``, ``conflict_places``, ``specialties``. ``parameters``: ``strata``
    (list of {key, count | ratio}), ``weights``, ``teams``, ``max_targets_per_inspector``, the recusal switches.
    """
    if not isinstance(seed, str) or len(seed) < 16:
        raise DrawError("seed missing")
    strata = parameters.get("strata")
    if not strata:
        raise DrawError("no strata")
    teams = _teams(parameters)
    ids = [t["id"] for t in population]
    if len(set(ids)) != len(ids):
        raise DrawError("duplicate target id")
    by_stratum: dict[Any, list[dict[str, Any]]] = {}
    for target in sorted(population, key=lambda t: t["id"]):
        by_stratum.setdefault(target.get("stratum"), []).append(target)
    keys = [s.get("key") for s in strata]
    if len(set(keys)) != len(keys):
        raise DrawError("duplicate stratum")

    chosen: list[tuple[Any, dict[str, Any]]] = []
    summary = []
    for stratum in strata:
        key = stratum.get("key")
        members = by_stratum.get(key, [])
        eligible = [t for t in members if t.get("cap_left", 1) >= 1]
        requested = _requested(stratum, len(members))
        take = min(requested, len(eligible))
        weights = [weight_of(t, parameters) for t in eligible]
        tree = _Fenwick(weights)
        stream = Stream(seed, f"targets:{key}")
        for _ in range(take):
            index = tree.find(stream.below(tree.total))
            tree.add(index, -weights[index])
            chosen.append((key, eligible[index]))
        summary.append({"key": key, "size": len(members), "eligible": len(eligible), "requested": requested,
                        "selected": take})

    ordered = sorted(inspectors, key=lambda i: i["id"])
    if len({i["id"] for i in ordered}) != len(ordered):
        raise DrawError("duplicate inspector id")
    groups: dict[Any, list[dict[str, Any]]] = {}
    for inspector in ordered:
        groups.setdefault(inspector.get("group"), []).append(inspector)
    limit = parameters.get("max_targets_per_inspector")
    load: dict[str, int] = {}
    stream = Stream(seed, "inspectors")
    results = []
    shortfall = []
    for order, (key, target) in enumerate(chosen, 1):
        team_ids: list[str] = []
        for group, count in teams:
            pool = ordered if group is None else groups.get(group, [])

            def ok(ins: dict[str, Any], target: dict[str, Any] = target, team_ids: list[str] = team_ids) -> bool:
                return (ins["id"] not in team_ids and (limit is None or load.get(ins["id"], 0) < limit)
                        and recused(ins, target, parameters) is None)

            for _ in range(count):
                pick = None
                for _try in range(32 if pool else 0):
                    candidate = pool[stream.below(len(pool))]
                    if ok(candidate):
                        pick = candidate
                        break
                if pick is None:
                    left = [ins for ins in pool if ok(ins)]
                    if left:
                        pick = left[stream.below(len(left))]
                if pick is None:
                    break
                team_ids.append(pick["id"])
                load[pick["id"]] = load.get(pick["id"], 0) + 1
        if len(team_ids) < sum(c for _g, c in teams):
            shortfall.append(target["id"])
        results.append({"order": order, "id": target["id"], "stratum": key, "inspectors": team_ids})
    return {"algorithm": ALGORITHM, "seed": seed, "strata": summary, "targets": results, "shortfall": shortfall}


# -- verification -----------------------------------------------------------------------------------------

def verify(bundle: dict[str, Any]) -> list[str]:
    """Re-derive a draw from its exported parts; the list of problems (empty: the draw is reproduced).

    ``bundle``: population, inspectors, parameters (the JSON values), commitment (the published document and
    its hash), reveal (public_value, operator_secret, witness_secret) and result."""
    problems = []
    document = commitment_document(
        population=bundle["population"], inspectors=bundle["inspectors"], parameters=bundle["parameters"],
        public_source=bundle["commitment"]["document"]["public_source"],
        operator_commit=bundle["commitment"]["document"]["operator_commit"],
        witness_commit=bundle["commitment"]["document"]["witness_commit"])
    if document != bundle["commitment"]["document"]:
        problems.append("the population, inspectors or parameters differ from those committed")
    if commitment(bundle["commitment"]["document"]) != bundle["commitment"]["hash"]:
        problems.append("the commitment hash does not match the committed document")
    reveal = bundle["reveal"]
    if secret_hash(reveal["operator_secret"]) != document["operator_commit"]:
        problems.append("the operator's revealed input does not match the commitment")
    if secret_hash(reveal["witness_secret"]) != document["witness_commit"]:
        problems.append("the witness's revealed input does not match the commitment")
    seed = derive_seed(commitment_hex=bundle["commitment"]["hash"], public_value=reveal["public_value"],
                       operator_secret=reveal["operator_secret"], witness_secret=reveal["witness_secret"])
    if seed != bundle["result"].get("seed"):
        problems.append("the seed does not follow from the commitment and the revealed inputs")
    again = run(bundle["population"], bundle["inspectors"], bundle["parameters"], seed)
    if canonical(again) != canonical(bundle["result"]):
        problems.append("re-running the draw gives a different result")
    return problems
