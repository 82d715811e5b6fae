"""The pairing algorithm: pure functions, checked against networkx's optimum with hypothesis."""
from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.peers.matching import (
    NO_ELIGIBLE_PARTNER,
    PARTNERS_TAKEN,
    Peer,
    fast_matching,
    fractional_bound,
    greedy_matching,
    matching_weight,
    pair_key,
    pair_round,
    pair_score,
    score_matrix,
    score_parts,
    sparse_matching,
)

TOPICS = ["public-lighting", "financing", "transport", "monitoring", "local-heat-cold"]
topic_sets = st.frozensets(st.sampled_from(TOPICS), max_size=3)


@st.composite
def instances(draw, max_people: int = 12):
    n = draw(st.integers(0, max_people))
    peers = [Peer(i + 1, draw(st.sampled_from(["BE", "GR", "IT"])),
                  draw(st.frozensets(st.sampled_from(["en", "fr", "el"]), min_size=1, max_size=2)),
                  draw(topic_sets), draw(topic_sets)) for i in range(n)]
    met = set()
    if n >= 2:
        for a, b in draw(st.lists(st.tuples(st.integers(1, n), st.integers(1, n)), max_size=4)):
            if a != b:
                met.add(pair_key(a, b))
    return peers, met


def networkx_optimum(peers, met) -> int:
    graph = nx.Graph()
    for i, a in enumerate(peers):
        for b in peers[i + 1:]:
            score = pair_score(a, b, pair_key(a.id, b.id) in met)
            if score > 0:
                graph.add_edge(a.id, b.id, weight=score)
    return sum(graph[a][b]["weight"] for a, b in nx.max_weight_matching(graph))


def check_valid(result, peers, met):
    by_id = {p.id: p for p in peers}
    seen = [i for a, b, _score in result.pairs for i in (a, b)]
    assert len(seen) == len(set(seen)), "nobody twice"
    for a, b, score in result.pairs:
        assert by_id[a].country != by_id[b].country
        assert score == pair_score(by_id[a], by_id[b], pair_key(a, b) in met) > 0
    assert result.total == sum(score for _a, _b, score in result.pairs)
    assert set(result.unmatched) == set(by_id) - set(seen)
    assert result.total >= result.greedy_total


def test_score_follows_the_formula():
    a = Peer.of(1, "BE", ["en", "fr"], offers=["public-lighting", "financing"], needs=["transport", "monitoring"])
    b = Peer.of(2, "GR", ["en"], offers=["transport"], needs=["public-lighting", "financing", "monitoring"])
    assert pair_score(a, b) == 3 * 2 + 3 * 1 + 1 * 1 == pair_score(b, a)
    parts = score_parts(a, b)
    assert parts.a_offers_b_needs == ("financing", "public-lighting")
    assert parts.b_offers_a_needs == ("transport",)
    assert parts.shared_needs == ("monitoring",)
    assert parts.shared_languages == ("en",)
    assert pair_score(a, b, met=True) == 0
    assert score_parts(a, b, met=True).blocker == "met_before"
    assert pair_score(a, Peer.of(3, "BE", ["en"], needs=["financing"])) == 0
    assert pair_score(a, Peer.of(4, "GR", ["el"], needs=["financing"])) == 0
    assert score_parts(a, Peer.of(4, "GR", ["el"])).blocker == "no_language"
    assert pair_score(a, a) == 0


@given(instances())
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_matrix_agrees_with_pair_score(instance):
    peers, met = instance
    weights = score_matrix(peers, met)
    for i, a in enumerate(peers):
        for j, b in enumerate(peers):
            assert weights[i, j] == pair_score(a, b, pair_key(a.id, b.id) in met)


@given(instances())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_round_is_valid_and_optimal_on_small_instances(instance):
    peers, met = instance
    result = pair_round(peers, met)
    check_valid(result, peers, met)
    assert result.method == "exact"
    assert result.total == networkx_optimum(peers, met)
    assert result.is_optimal


@given(instances(max_people=16))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fast_method_is_valid_bounded_and_never_below_greedy(instance):
    peers, met = instance
    result = pair_round(peers, met, exact_limit=-1)
    check_valid(result, peers, met)
    assert result.method == "lp-rounding"
    optimum = networkx_optimum(peers, met)
    assert result.total <= optimum <= result.bound


@given(instances(max_people=16))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fast_matching_pairs_are_disjoint_and_positive(instance):
    peers, met = instance
    weights = score_matrix(peers, met)
    pairs, bound = fast_matching(weights)
    people = [i for pair in pairs for i in pair]
    assert len(people) == len(set(people))
    assert all(weights[i, j] > 0 for i, j in pairs)
    assert matching_weight(weights, greedy_matching(weights)) <= bound


@given(instances(max_people=16))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_sparse_matching_is_valid_and_its_bound_holds_with_few_partners(instance):
    """With only 3 best partners per person kept, the pairs are still valid and the bound still bounds."""
    peers, met = instance
    if len(peers) < 2:
        return
    weights = score_matrix(peers, met)
    pairs, bound = sparse_matching(weights, k=3)
    people = [i for pair in pairs for i in pair]
    assert len(people) == len(set(people))
    assert all(weights[i, j] > 0 for i, j in pairs)
    assert matching_weight(weights, pairs) <= networkx_optimum(peers, met) <= bound
    assert fractional_bound(weights)[0] <= bound + 1e-9  # above the exact LP bound, never below


def _crowd(n: int, seed: int):
    """People drawn like the platform's, by the pairing bench (bench/peers_pairing.py)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "peers_pairing.py"
    spec = importlib.util.spec_from_file_location("peers_pairing", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.people(n, seed=seed)


def test_sparse_matching_is_close_to_the_exact_lp_on_a_realistic_crowd():
    peers, met = _crowd(1200, seed=11)
    weights = score_matrix(peers, met)
    pairs, bound = sparse_matching(weights, k=120)
    exact_bound = fractional_bound(weights)[0]
    total = matching_weight(weights, pairs)
    assert exact_bound <= bound and total <= exact_bound
    assert total >= 0.99 * exact_bound and total >= 0.98 * bound
    assert total >= matching_weight(weights, greedy_matching(weights))


def test_unmatched_people_say_why():
    peers = [Peer.of(1, "BE", ["en"], offers=["financing"]), Peer.of(2, "GR", ["en"], needs=["financing"]),
             Peer.of(3, "IT", ["en"], needs=["financing"]), Peer.of(4, "PL", ["pl"], needs=["financing"])]
    result = pair_round(peers)
    assert [(a, b) for a, b, _s in result.pairs] in ([(1, 2)], [(1, 3)])
    assert result.unmatched[4] == NO_ELIGIBLE_PARTNER
    assert PARTNERS_TAKEN in result.unmatched.values()


def test_fast_method_is_close_to_its_bound_on_a_realistic_crowd():
    peers, met = _crowd(400, seed=7)
    result = pair_round(peers, met, exact_limit=0)
    check_valid(result, peers, met)
    assert result.ratio_to_bound >= 0.98
    assert result.total >= result.greedy_total


def test_empty_and_lonely_rounds():
    assert pair_round([]).pairs == []
    assert pair_round([Peer.of(1, "BE", ["en"])], exact_limit=0).unmatched == {1: NO_ELIGIBLE_PARTNER}
    assert np.array_equal(score_matrix([]), np.zeros((0, 0)))
