"""Pairing peers: the pair score of docs/api.md and pairing rounds that maximise the total score.

Pure functions over plain values: no database, no Flask. The services feed them `Peer`s.

A round is a maximum-weight matching on the graph whose edges are the pairs scoring above 0.
- Up to `EXACT_LIMIT` people: networkx's blossom algorithm, provably optimal.
- Beyond: networkx needs minutes (about 120 s for 1,000 people), so we solve the LP relaxation
  of matching (the "fractional matching" LP, without odd-set constraints) exactly, as a
  maximum-weight assignment on the bipartite double cover (scipy, Jonker-Volgenant). Half its
  value is an upper bound on every matching, because each matching M is an assignment of value
  2·w(M) (u→v, v→u for each pair, everyone else to themselves). The assignment splits into cycles;
  2-cycles are pairs, longer cycles are rounded by an exact dynamic programme on the cycle, the
  people left over are paired greedily, and local search (pair swaps, augmenting paths of length
  three) improves the result. The greedy matching is computed too and the better one is returned,
  so a round never scores below greedy.
- Beyond `DENSE_LP_LIMIT` people the dense assignment itself grows cubic (95 s for 10,000), so both
  halves go sparse (`sparse_matching`): the primal solves the same LP on the graph of each person's
  `SPARSE_NEIGHBOURS` best partners (a sparse assignment, scipy's LAPJVsp) and rounds it as above;
  the bound solves the LP on a matrix that is never below the scores (each person keeps their best
  partners' scores and gets their k-th best score with everyone else), which reduces to a sparse
  assignment too. Both take seconds; the bound stays a true upper bound, a little above the exact one.
"""
from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

EXACT_LIMIT = 300
DENSE_LP_LIMIT = 5000  # above this, the LP is solved on sparse graphs (see the module docstring)
SPARSE_NEIGHBOURS = 400  # best partners per person kept by the sparse solution
OFFER_WEIGHT = 3
SHARED_NEED_WEIGHT = 1

# Why someone stays unmatched in a round.
NO_ELIGIBLE_PARTNER = "no_eligible_partner"  # nobody scores above 0 with them
PARTNERS_TAKEN = "partners_taken"  # their possible partners are in pairs that score more overall


@dataclass(frozen=True)
class Peer:
    """What the score looks at: one person's country, working languages and topics."""

    id: int
    country: str
    languages: frozenset[str] = frozenset()
    offers: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()

    @classmethod
    def of(cls, id: int, country: str, languages: Iterable[str] = (), offers: Iterable[str] = (),
           needs: Iterable[str] = ()) -> Peer:
        return cls(id, country, frozenset(languages), frozenset(offers), frozenset(needs))


@dataclass(frozen=True)
class ScoreParts:
    """The pieces of a pair's score, seen from `a`: what each offers the other, what both need."""

    a_offers_b_needs: tuple[str, ...]
    b_offers_a_needs: tuple[str, ...]
    shared_needs: tuple[str, ...]
    shared_languages: tuple[str, ...]
    blocker: str | None  # "self", "same_country", "no_language", "met_before" or None

    @property
    def score(self) -> int:
        if self.blocker:
            return 0
        return (OFFER_WEIGHT * (len(self.a_offers_b_needs) + len(self.b_offers_a_needs))
                + SHARED_NEED_WEIGHT * len(self.shared_needs))


def pair_key(a: int, b: int) -> frozenset[int]:
    return frozenset((a, b))


def score_parts(a: Peer, b: Peer, met: bool = False) -> ScoreParts:
    blocker = None
    shared_languages = a.languages & b.languages
    if a.id == b.id:
        blocker = "self"
    elif a.country == b.country:
        blocker = "same_country"
    elif not shared_languages:
        blocker = "no_language"
    elif met:
        blocker = "met_before"
    return ScoreParts(tuple(sorted(a.offers & b.needs)), tuple(sorted(b.offers & a.needs)),
                      tuple(sorted(a.needs & b.needs)), tuple(sorted(shared_languages)), blocker)


def pair_score(a: Peer, b: Peer, met: bool = False) -> int:
    """docs/api.md: 0 for the same country, no shared language or an earlier exchange; else
    3·|offers(a)∩needs(b)| + 3·|offers(b)∩needs(a)| + 1·|needs(a)∩needs(b)|."""
    return score_parts(a, b, met).score


def score_matrix(peers: Sequence[Peer], met_pairs: Iterable[frozenset[int]] = ()) -> np.ndarray:
    """All pair scores at once (int32, symmetric, zero diagonal), with the same rules as `pair_score`."""
    n = len(peers)
    if n == 0:
        return np.zeros((0, 0), dtype=np.int32)
    topics = {t: i for i, t in enumerate(sorted({t for p in peers for t in p.offers | p.needs}))}
    languages = {c: i for i, c in enumerate(sorted({c for p in peers for c in p.languages}))}
    countries = {c: i for i, c in enumerate(sorted({p.country for p in peers}))}
    offers = np.zeros((n, max(len(topics), 1)), dtype=np.float32)
    needs = np.zeros_like(offers)
    spoken = np.zeros((n, max(len(languages), 1)), dtype=np.float32)
    country = np.fromiter((countries[p.country] for p in peers), dtype=np.int32, count=n)
    for i, peer in enumerate(peers):
        offers[i, [topics[t] for t in peer.offers]] = 1
        needs[i, [topics[t] for t in peer.needs]] = 1
        spoken[i, [languages[c] for c in peer.languages]] = 1
    gives = offers @ needs.T  # gives[a, b] = |offers(a) ∩ needs(b)|
    scores = OFFER_WEIGHT * (gives + gives.T) + SHARED_NEED_WEIGHT * (needs @ needs.T)
    scores = np.rint(scores).astype(np.int32)
    scores[(spoken @ spoken.T) < 0.5] = 0
    scores[country[:, None] == country[None, :]] = 0  # the diagonal too
    index = {p.id: i for i, p in enumerate(peers)}
    for key in met_pairs:
        ids = tuple(key)
        if len(ids) == 2 and ids[0] in index and ids[1] in index:
            i, j = index[ids[0]], index[ids[1]]
            scores[i, j] = scores[j, i] = 0
    return scores


# Matchings on a score matrix: lists of (i, j) index pairs with i < j ----------------------------

def matching_weight(weights: np.ndarray, pairs: Iterable[tuple[int, int]]) -> int:
    return int(sum(int(weights[i, j]) for i, j in pairs))


def _edges_by_weight(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows, cols = np.nonzero(np.triu(weights, 1) > 0)
    values = weights[rows, cols]
    order = np.lexsort((cols, rows, -values))  # heaviest first, ties by index: deterministic
    return rows[order], cols[order], values[order]


def greedy_matching(weights: np.ndarray) -> list[tuple[int, int]]:
    """Take the heaviest remaining pair whose two people are both free, until none is left."""
    n = weights.shape[0]
    free = np.ones(n, dtype=bool)
    pairs = []
    left = n
    rows, cols, _values = _edges_by_weight(weights)
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        if free[i] and free[j]:
            free[i] = free[j] = False
            pairs.append((i, j))
            left -= 2
            if left < 2:
                break
    return pairs


def exact_matching(weights: np.ndarray) -> list[tuple[int, int]]:
    """Maximum-weight matching (Edmonds' blossom algorithm, networkx)."""
    import networkx as nx

    graph = nx.Graph()
    rows, cols = np.nonzero(np.triu(weights, 1) > 0)
    graph.add_weighted_edges_from(zip(rows.tolist(), cols.tolist(), weights[rows, cols].tolist(), strict=True))
    return sorted(tuple(sorted(pair)) for pair in nx.max_weight_matching(graph))


def fractional_bound(weights: np.ndarray) -> tuple[float, np.ndarray]:
    """The LP relaxation's optimum (an upper bound on any matching) and its assignment.

    Maximum-weight assignment on the bipartite double cover; nobody-paired is the zero diagonal.
    """
    from scipy.optimize import linear_sum_assignment

    if weights.shape[0] == 0:
        return 0.0, np.zeros(0, dtype=np.int64)
    rows, cols = linear_sum_assignment(weights, maximize=True)
    assignment = np.empty(weights.shape[0], dtype=np.int64)
    assignment[rows] = cols
    return float(weights[rows, cols].sum()) / 2, assignment


def _best_on_path(weights: list[int]) -> tuple[int, list[int]]:
    """Max-weight set of non-adjacent edges on a path with these edge weights (their positions)."""
    take_best = [0] * (len(weights) + 1)
    for k, w in enumerate(weights, start=1):
        take_best[k] = max(take_best[k - 1], (take_best[k - 2] if k >= 2 else 0) + w if w > 0 else 0)
    chosen, k = [], len(weights)
    while k > 0:
        w = weights[k - 1]
        if w > 0 and take_best[k] == (take_best[k - 2] if k >= 2 else 0) + w:
            chosen.append(k - 1)
            k -= 2
        else:
            k -= 1
    return take_best[-1], chosen


def _round_cycle(weights: np.ndarray, cycle: list[int]) -> list[tuple[int, int]]:
    """The best matching using only the edges of one assignment cycle (exact, by dynamic programming)."""
    size = len(cycle)
    edges = [int(weights[cycle[k], cycle[(k + 1) % size]]) for k in range(size)]
    # Either the closing edge (last) is left out, or it is taken and its two neighbours are left out.
    open_value, open_chosen = _best_on_path(edges[:-1])
    closed_value, closed_chosen = _best_on_path(edges[1:-2]) if size > 3 else (0, [])
    closed_value += edges[-1]
    if edges[-1] > 0 and closed_value > open_value:
        chosen = [size - 1] + [k + 1 for k in closed_chosen]
    else:
        chosen = open_chosen
    return [tuple(sorted((cycle[k], cycle[(k + 1) % size]))) for k in chosen]


def round_assignment(weights: np.ndarray, assignment: np.ndarray) -> list[tuple[int, int]]:
    seen = np.zeros(len(assignment), dtype=bool)
    pairs: list[tuple[int, int]] = []
    for start in range(len(assignment)):
        if seen[start]:
            continue
        cycle, node = [], start
        while not seen[node]:
            seen[node] = True
            cycle.append(node)
            node = int(assignment[node])
        if len(cycle) == 2:
            if weights[cycle[0], cycle[1]] > 0:
                pairs.append(tuple(sorted(cycle)))
        elif len(cycle) > 2:
            pairs.extend(_round_cycle(weights, cycle))
    return pairs


def _mates(n: int, pairs: Iterable[tuple[int, int]]) -> np.ndarray:
    mate = np.full(n, -1, dtype=np.int64)
    for i, j in pairs:
        mate[i], mate[j] = j, i
    return mate


def _pairs_of(mate: np.ndarray) -> list[tuple[int, int]]:
    return [(i, int(j)) for i, j in enumerate(mate.tolist()) if j > i]


def _fill_free(weights: np.ndarray, mate: np.ndarray) -> bool:
    free = np.flatnonzero(mate < 0)
    if len(free) < 2:
        return False
    sub = weights[np.ix_(free, free)]
    added = greedy_matching(sub)
    for i, j in added:
        mate[free[i]], mate[free[j]] = free[j], free[i]
    return bool(added)


def _swap_pass(weights: np.ndarray, mate: np.ndarray) -> bool:
    """2-opt: two pairs (a,b), (c,d) become (a,c),(b,d) or (a,d),(b,c) when that scores more."""
    pairs = np.array(_pairs_of(mate), dtype=np.int64).reshape(-1, 2)
    if len(pairs) < 2:
        return False
    a, b = pairs[:, 0], pairs[:, 1]
    current = weights[a, b].astype(np.int64)
    now = current[:, None] + current[None, :]
    straight = weights[np.ix_(a, a)].astype(np.int64) + weights[np.ix_(b, b)]
    crossed = weights[np.ix_(a, b)].astype(np.int64) + weights[np.ix_(b, a)]
    gain = np.maximum(straight, crossed) - now
    np.fill_diagonal(gain, 0)
    gain = np.triu(gain, 1)
    candidates = np.argwhere(gain > 0)
    if len(candidates) == 0:
        return False
    order = np.argsort(-gain[candidates[:, 0], candidates[:, 1]], kind="stable")
    touched = np.zeros(len(pairs), dtype=bool)
    improved = False
    for p, q in candidates[order].tolist():
        if touched[p] or touched[q]:
            continue
        touched[p] = touched[q] = True
        ap, bp, aq, bq = int(a[p]), int(b[p]), int(a[q]), int(b[q])
        new = ((ap, aq), (bp, bq)) if straight[p, q] >= crossed[p, q] else ((ap, bq), (bp, aq))
        for x, y in new:
            if weights[x, y] > 0:
                mate[x], mate[y] = y, x
            else:
                mate[x] = mate[y] = -1
        improved = True
    return improved


def _augment_pass(weights: np.ndarray, mate: np.ndarray) -> bool:
    """Paths of length three through free people: u-(a=b)-v becomes (u,a),(b,v); or u takes a's place."""
    free = np.flatnonzero(mate < 0)
    pairs = np.array(_pairs_of(mate), dtype=np.int64).reshape(-1, 2)
    if len(free) == 0 or len(pairs) == 0:
        return False
    a, b = pairs[:, 0], pairs[:, 1]
    current = weights[a, b].astype(np.int64)
    to_a = weights[np.ix_(free, a)].astype(np.int64)  # free × pairs
    to_b = weights[np.ix_(free, b)].astype(np.int64)
    best_a, best_b = to_a.argmax(axis=0), to_b.argmax(axis=0)
    gain_a = to_a[best_a, np.arange(len(pairs))] - current  # u replaces b
    gain_b = to_b[best_b, np.arange(len(pairs))] - current  # u replaces a
    # Both ends: u to a and v to b, u ≠ v (second best when the best is the same person).
    both = to_a[best_a, np.arange(len(pairs))] + to_b[best_b, np.arange(len(pairs))] - current
    same = best_a == best_b
    if same.any() and len(free) > 1:
        second_a = np.partition(to_a, -2, axis=0)[-2] if len(free) > 1 else np.zeros(len(pairs))
        second_b = np.partition(to_b, -2, axis=0)[-2] if len(free) > 1 else np.zeros(len(pairs))
        cols = np.arange(len(pairs))
        alt = np.maximum(to_a[best_a, cols] + second_b, second_a + to_b[best_b, cols]) - current
        both = np.where(same, alt, both)
    elif same.any():
        both = np.where(same, -1, both)
    gains = np.maximum(np.maximum(gain_a, gain_b), both)
    order = np.argsort(-gains, kind="stable")
    used = np.zeros(weights.shape[0], dtype=bool)
    improved = False
    for p in order.tolist():
        if gains[p] <= 0:
            break
        x, y = int(a[p]), int(b[p])
        if used[x] or used[y] or mate[x] != y:
            continue
        # Recompute against the people still free, since earlier moves took some.
        options = []
        still = [int(u) for u in free if mate[u] < 0 and not used[u]]
        if not still:
            break
        wx = [(int(weights[u, x]), u) for u in still]
        wy = [(int(weights[u, y]), u) for u in still]
        ux = max(wx)
        uy = max(wy)
        options.append((ux[0] - int(current[p]), ((ux[1], x),)))
        options.append((uy[0] - int(current[p]), ((uy[1], y),)))
        for wu, u in sorted(wx, reverse=True)[:2]:
            for wv, v in sorted(wy, reverse=True)[:2]:
                if u != v:
                    options.append((wu + wv - int(current[p]), ((u, x), (v, y))))
        gain, new = max(options, key=lambda o: o[0])
        if gain <= 0 or any(weights[s, t] <= 0 for s, t in new):
            continue
        mate[x] = mate[y] = -1
        for s, t in new:
            mate[s], mate[t] = t, s
            used[s] = used[t] = True
        used[x] = used[y] = True
        improved = True
    return improved


def improve_matching(weights: np.ndarray, pairs: Iterable[tuple[int, int]], rounds: int = 50,
                     seconds: float = 3.0, target: float | None = None) -> list[tuple[int, int]]:
    """Local search: fill free people greedily, then swaps and short augmenting paths until stable
    (or `target` reached, or time is up). Never returns less than it was given."""
    deadline = time.perf_counter() + seconds
    pairs = list(pairs)
    best, best_weight = pairs, matching_weight(weights, pairs)
    mate = _mates(weights.shape[0], pairs)
    _fill_free(weights, mate)
    for _ in range(rounds):
        changed = _swap_pass(weights, mate)
        changed = _augment_pass(weights, mate) or changed
        changed = _fill_free(weights, mate) or changed
        current = _pairs_of(mate)
        weight = matching_weight(weights, current)
        if weight > best_weight:
            best, best_weight = current, weight
        if not changed or (target is not None and best_weight >= target) or time.perf_counter() > deadline:
            break
    return best


def _best_partners(weights: np.ndarray, k: int, chunk: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k heaviest columns and their weights (unordered), a block of rows at a time."""
    n = weights.shape[0]
    index = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, chunk):
        block = weights[start:start + chunk]
        index[start:start + chunk] = np.argpartition(-block, k - 1, axis=1)[:, :k]
    return index, np.take_along_axis(weights, index, axis=1)


def _full_assignment(n_rows: int, n_cols: int, rows: np.ndarray, cols: np.ndarray,
                     values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-weight assignment of every row on a sparse graph (values ≥ 0; shifted by 1 so that a
    zero is still an edge; every row must have one)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    graph = csr_matrix((values.astype(np.float64) + 1.0, (rows, cols)), shape=(n_rows, n_cols))
    matched_rows, matched_cols = min_weight_full_bipartite_matching(graph, maximize=True)
    return matched_rows, matched_cols


def sparse_matching(weights: np.ndarray, k: int = SPARSE_NEIGHBOURS) -> tuple[list[tuple[int, int]], float]:
    """A matching from the LP on everyone's k best partners, and an upper bound on every matching."""
    n = weights.shape[0]
    k = max(1, min(k, n - 1))
    index, values = _best_partners(weights, k)
    kth = values.min(axis=1).astype(np.int64)  # every score outside a row's best k is at most this
    rows = np.repeat(np.arange(n), k)
    cols, vals = index.ravel(), values.ravel().astype(np.int64)
    # The primal: the double cover of the best-partner graph (both directions), plus "nobody" (i, i).
    keep = (vals > 0) & (rows != cols)
    low, high = np.minimum(rows[keep], cols[keep]), np.maximum(rows[keep], cols[keep])
    codes = np.unique(low * n + high)
    low, high = codes // n, codes % n
    edge = weights[low, high].astype(np.int64)
    diagonal = np.arange(n)
    matched_rows, matched_cols = _full_assignment(
        n, n, np.concatenate([low, high, diagonal]), np.concatenate([high, low, diagonal]),
        np.concatenate([edge, edge, np.zeros(n, dtype=np.int64)]))
    assignment = np.empty(n, dtype=np.int64)
    assignment[matched_rows] = matched_cols
    pairs = round_assignment(weights, assignment)
    # The bound: the assignment on W' ≥ W (W on each row's best k, the row's k-th best elsewhere) is worth
    # Σ kth + the best assignment of the gains W − kth on the best k (or a gain of 0 in a column of its own).
    gains = vals - kth[rows]
    matched_rows, matched_cols = _full_assignment(
        n, 2 * n, np.concatenate([rows, diagonal]), np.concatenate([cols, n + diagonal]),
        np.concatenate([gains, np.zeros(n, dtype=np.int64)]))
    real = matched_cols < n  # the others took their column of their own: a gain of 0
    gained = int((weights[matched_rows[real], matched_cols[real]].astype(np.int64) - kth[matched_rows[real]]).sum())
    return pairs, (int(kth.sum()) + gained) / 2


def fast_matching(weights: np.ndarray) -> tuple[list[tuple[int, int]], float]:
    """A matching within a hair of the LP bound, and that bound (see the module docstring)."""
    if weights.shape[0] > DENSE_LP_LIMIT:
        pairs, bound = sparse_matching(weights)
        whole_bound = int(bound + 1e-9)
        if matching_weight(weights, pairs) < whole_bound:
            pairs = improve_matching(weights, pairs, target=whole_bound)
        return pairs, float(whole_bound)
    bound, assignment = fractional_bound(weights)
    whole_bound = int(bound + 1e-9)  # the optimum is a whole number
    pairs = round_assignment(weights, assignment)
    if matching_weight(weights, pairs) < whole_bound:
        pairs = improve_matching(weights, pairs, target=whole_bound)
    return pairs, float(whole_bound)


# A pairing round ---------------------------------------------------------------------------------

@dataclass
class Pairing:
    """The result of a round, in people's ids."""

    pairs: list[tuple[int, int, int]]  # (id, id, score), best pairs first
    total: int
    bound: float  # no matching can score more (equal to `total` when solved exactly)
    greedy_total: int
    method: str  # "exact" or "lp-rounding"
    unmatched: dict[int, str] = field(default_factory=dict)  # id -> NO_ELIGIBLE_PARTNER | PARTNERS_TAKEN
    seconds: float = 0.0

    @property
    def is_optimal(self) -> bool:
        return self.total >= self.bound

    @property
    def ratio_to_bound(self) -> float:
        return self.total / self.bound if self.bound else 1.0

    @property
    def ratio_to_greedy(self) -> float:
        return self.total / self.greedy_total if self.greedy_total else 1.0


def pair_round(peers: Sequence[Peer], met_pairs: Iterable[frozenset[int]] = (), *,
               exact_limit: int = EXACT_LIMIT) -> Pairing:
    """Pair the people so that the total score is as high as possible; nobody twice, no zero pairs."""
    started = time.perf_counter()
    peers = list(peers)
    if len({p.id for p in peers}) != len(peers):
        raise ValueError("each person may take part once")
    weights = score_matrix(peers, met_pairs)
    greedy = greedy_matching(weights)
    greedy_total = matching_weight(weights, greedy)
    if len(peers) <= exact_limit:
        pairs = exact_matching(weights)
        method = "exact"
        bound = float(matching_weight(weights, pairs))
    else:
        pairs, bound = fast_matching(weights)
        method = "lp-rounding"
    if matching_weight(weights, pairs) < greedy_total:
        pairs = greedy
    total = matching_weight(weights, pairs)
    matched = {i for pair in pairs for i in pair}
    has_partner = (weights > 0).any(axis=1)
    unmatched = {peers[i].id: (PARTNERS_TAKEN if has_partner[i] else NO_ELIGIBLE_PARTNER)
                 for i in range(len(peers)) if i not in matched}
    result = [(peers[i].id, peers[j].id, int(weights[i, j])) for i, j in pairs]
    result.sort(key=lambda pair: (-pair[2], pair[0], pair[1]))
    return Pairing(pairs=result, total=total, bound=max(bound, float(total)), greedy_total=greedy_total,
                   method=method, unmatched=unmatched, seconds=time.perf_counter() - started)
