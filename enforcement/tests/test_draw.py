"""Properties of the pure draw (enforcement/draw.py): determinism, recusal, caps, weights, verification."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enforcement import draw

SEED = "0" * 64
ROOT = Path(__file__).resolve().parents[2]


@st.composite
def worlds(draw_: st.DrawFn) -> tuple[list, list, dict]:
    n_targets = draw_(st.integers(1, 40))
    n_inspectors = draw_(st.integers(2, 12))
    towns = ["/1/2/", "/1/3/", "/1/4/"]
    population = []
    for k in range(n_targets):
        town = draw_(st.sampled_from(towns))
        population.append({
            "id": f"e{k}", "stratum": draw_(st.sampled_from(["a", "b", "c"])), "place": town + f"{k}/",
            "township": town, "cap_left": draw_(st.integers(0, 3)), "complaints": draw_(st.integers(0, 4)),
            "violations": draw_(st.integers(0, 4)),
            "last_inspectors": draw_(st.lists(st.sampled_from([f"i{j}" for j in range(n_inspectors)]), max_size=2)),
        })
    inspectors = []
    for j in range(n_inspectors):
        inspectors.append({
            "id": f"i{j}", "group": draw_(st.sampled_from(["1", "2"])), "township": draw_(st.sampled_from(towns)),
            "conflicts": draw_(st.lists(st.sampled_from([t["id"] for t in population]), max_size=3)),
            "conflict_places": draw_(st.lists(st.sampled_from(towns), max_size=1)),
        })
    parameters = {
        "strata": [{"key": "a", "ratio": draw_(st.sampled_from(["0", "1/3", "0.5", "1"]))},
                   {"key": "b", "count": draw_(st.integers(0, 10))}],
        "weights": {"complaints": 1, "violations": 2},
        "teams": draw_(st.sampled_from([[{"group": None, "count": 2}],
                                         [{"group": "1", "count": 1}, {"group": "2", "count": 1}],
                                         [{"group": None, "count": 3}]])),
        "recuse_same_township": draw_(st.booleans()),
        "recuse_last_time": True,
        "max_targets_per_inspector": draw_(st.sampled_from([None, 1, 3])),
    }
    return population, inspectors, parameters


seeds = st.binary(min_size=8, max_size=32).map(lambda b: draw.sha256_hex(b))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), seeds, st.randoms(use_true_random=False))
def test_same_inputs_same_result_whatever_the_order(world: tuple, seed: str, rnd) -> None:
    population, inspectors, parameters = world
    first = draw.run(population, inspectors, parameters, seed)
    shuffled_p, shuffled_i = list(population), list(inspectors)
    rnd.shuffle(shuffled_p)
    rnd.shuffle(shuffled_i)
    again = draw.run(json.loads(json.dumps(shuffled_p)), shuffled_i, parameters, seed)
    assert draw.canonical(first) == draw.canonical(again)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), seeds)
def test_recusal_caps_and_team_size_are_never_violated(world: tuple, seed: str) -> None:
    population, inspectors, parameters = world
    result = draw.run(population, inspectors, parameters, seed)
    targets = {t["id"]: t for t in population}
    by_id = {i["id"]: i for i in inspectors}
    drawn = [t["id"] for t in result["targets"]]
    assert len(drawn) == len(set(drawn)), "a target drawn twice in one draw"
    load: dict[str, int] = {}
    wanted = sum(team["count"] for team in parameters["teams"])
    for row in result["targets"]:
        target = targets[row["id"]]
        assert target["cap_left"] >= 1, "a target at its cap was drawn"
        assert row["stratum"] == target["stratum"]
        assert len(row["inspectors"]) == len(set(row["inspectors"]))
        assert len(row["inspectors"]) <= wanted
        if len(row["inspectors"]) < wanted:
            assert row["id"] in result["shortfall"]
        for inspector_id in row["inspectors"]:
            inspector = by_id[inspector_id]
            assert draw.recused(inspector, target, parameters) is None
            assert target["id"] not in inspector["conflicts"]
            assert inspector_id not in target["last_inspectors"]
            if parameters["recuse_same_township"]:
                assert inspector["township"] != target["township"]
            load[inspector_id] = load.get(inspector_id, 0) + 1
    if parameters["max_targets_per_inspector"] is not None:
        assert max(load.values(), default=0) <= parameters["max_targets_per_inspector"]
    for stratum in result["strata"]:
        assert stratum["selected"] == min(stratum["requested"], stratum["eligible"])


def test_a_shortfall_is_reported_not_hidden() -> None:
    population = [{"id": "e1", "stratum": "all"}]
    inspectors = [{"id": "i1", "conflicts": ["e1"]}, {"id": "i2"}]
    result = draw.run(population, inspectors, {"strata": [{"key": "all", "count": 1}]}, SEED)
    assert result["targets"][0]["inspectors"] == ["i2"]
    assert result["shortfall"] == ["e1"]


def test_fewer_than_two_inspectors_per_target_is_refused() -> None:
    with pytest.raises(draw.DrawError):
        draw.run([{"id": "e1", "stratum": "a"}], [{"id": "i1"}], {"strata": [{"key": "a", "count": 1}],
                                                                    "teams": [{"group": None, "count": 1}]}, SEED)


def test_selection_frequencies_match_the_weights() -> None:
    """One target drawn from five with weights 1, 2, 3, 5, 9 (complaints, violations), over 6,000 fixed seeds:
    a chi-square test at the 0.1% level (4 degrees of freedom: 18.47)."""
    population = [{"id": f"e{k}", "stratum": "s", "complaints": c, "violations": v}
                  for k, (c, v) in enumerate([(0, 0), (1, 0), (0, 1), (2, 1), (0, 4)])]
    parameters = {"strata": [{"key": "s", "count": 1}], "weights": {"complaints": 1, "violations": 2},
                  "teams": [{"group": None, "count": 2}]}
    weights = [draw.weight_of(t, parameters) for t in population]
    assert weights == [1, 2, 3, 5, 9]
    inspectors = [{"id": "i1"}, {"id": "i2"}]
    rounds = 6000
    hits = dict.fromkeys((t["id"] for t in population), 0)
    for k in range(rounds):
        result = draw.run(population, inspectors, parameters, draw.sha256_hex(f"fixed-{k}"))
        hits[result["targets"][0]["id"]] += 1
    total = sum(weights)
    chi2 = sum((hits[t["id"]] - rounds * w / total) ** 2 / (rounds * w / total) for t, w in zip(population, weights, strict=True))
    assert chi2 < 18.47, (hits, chi2)
    # and the uniform case: no weights, ratio 1/5 each
    flat = {"strata": [{"key": "s", "count": 1}], "weights": {}}
    counts = dict.fromkeys(hits, 0)
    for k in range(3000):
        counts[draw.run(population, inspectors, flat, draw.sha256_hex(f"flat-{k}"))["targets"][0]["id"]] += 1
    chi2 = sum((c - 600) ** 2 / 600 for c in counts.values())
    assert chi2 < 18.47, counts


def test_ratio_rounds_up_and_stream_is_unbiased_range() -> None:
    population = [{"id": f"e{k:02d}", "stratum": "a"} for k in range(21)]
    result = draw.run(population, [{"id": "i1"}, {"id": "i2"}], {"strata": [{"key": "a", "ratio": "0.05"}]}, SEED)
    assert result["strata"][0]["requested"] == math.ceil(21 * 0.05) == 2
    stream = draw.Stream(SEED, "x")
    assert all(0 <= stream.below(7) < 7 for _ in range(1000))


def _bundle(tmp_path: Path) -> Path:
    population = [{"id": f"e{k}", "stratum": "a" if k % 3 else "b", "complaints": k % 2, "place": "/1/2/",
                   "township": "/1/2/"} for k in range(30)]
    inspectors = [{"id": f"i{k}", "conflicts": ["e1"] if k == 0 else []} for k in range(6)]
    parameters = {"strata": [{"key": "a", "ratio": "0.3"}, {"key": "b", "count": 2}],
                  "weights": {"complaints": 1}}
    document = draw.commitment_document(population=population, inspectors=inspectors, parameters=parameters,
                                        public_source="2026-12-01 上证综指收盘价",
                                        operator_commit=draw.secret_hash("operator-secret"),
                                        witness_commit=draw.secret_hash("witness-secret"))
    commitment = draw.commitment(document)
    seed = draw.derive_seed(commitment_hex=commitment, public_value="3456.78", operator_secret="operator-secret",
                            witness_secret="witness-secret")
    files = {"population": population, "inspectors": inspectors, "parameters": parameters,
             "commitment": {"document": document, "hash": commitment},
             "reveal": {"public_value": "3456.78", "operator_secret": "operator-secret",
                        "witness_secret": "witness-secret"},
             "result": draw.run(population, inspectors, parameters, seed)}
    for name, value in files.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")
    return tmp_path


def _verify(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-I", str(ROOT / "scripts" / "verify_draw.py"), str(folder)],
                          capture_output=True, text=True, timeout=60)


def test_the_verification_script_reproduces_and_catches_tampering(tmp_path: Path) -> None:
    folder = _bundle(tmp_path)
    ok = _verify(folder)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK" in ok.stdout
    population = json.loads((folder / "population.json").read_text(encoding="utf-8"))
    population[0]["complaints"] = 3
    (folder / "population.json").write_text(json.dumps(population), encoding="utf-8")
    bad = _verify(folder)
    assert bad.returncode == 1 and "differ from those committed" in bad.stdout
