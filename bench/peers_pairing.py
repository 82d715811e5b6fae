"""Pairing rounds at scale: time, total score, ratio to the LP bound and to greedy.

    .venv/bin/python bench/peers_pairing.py [sizes…]   (default 300 1000 5000 10000)

"seconds" is wall-clock time, "cpu s" the process's CPU time (numpy/scipy may use both cores).
People are drawn like the platform's: mostly the six project countries, their languages and often
English, one to four topics offered and needed, popular topics more often.
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.peers.matching import DENSE_LP_LIMIT, EXACT_LIMIT, SPARSE_NEIGHBOURS, Peer, pair_round

TOPICS = ["municipal-buildings", "tertiary-buildings", "residential-buildings", "public-lighting", "industry",
          "transport", "local-electricity", "local-heat-cold", "waste-water", "land-use-planning",
          "public-procurement", "citizen-engagement", "financing", "monitoring", "adaptation", "energy-poverty"]
COUNTRIES = {"BE": ["nl", "fr"], "HR": ["hr"], "GR": ["el"], "IT": ["it"], "PL": ["pl"], "ES": ["es", "ca"],
             "DE": ["de"], "RO": ["ro"], "FR": ["fr"], "PT": ["pt"]}
COUNTRY_WEIGHTS = [3, 2, 2, 3, 3, 3, 1, 1, 1, 1]


def people(n: int, seed: int = 2014) -> tuple[list[Peer], set[frozenset[int]]]:
    rng = random.Random(seed)
    popularity = [1 / (i + 1) ** 0.5 for i in range(len(TOPICS))]
    result = []
    for i in range(n):
        country = rng.choices(list(COUNTRIES), weights=COUNTRY_WEIGHTS)[0]
        languages = {rng.choice(COUNTRIES[country])}
        if rng.random() < 0.8:
            languages.add("en")
        if rng.random() < 0.2:
            languages.add(rng.choice(["fr", "de", "es", "it"]))
        offers = set(rng.choices(TOPICS, weights=popularity, k=rng.randint(1, 4)))
        needs = set(rng.choices(TOPICS, weights=popularity[::-1], k=rng.randint(1, 4)))
        result.append(Peer.of(i + 1, country, languages, offers, needs))
    met = {frozenset(rng.sample(range(1, n + 1), 2)) for _ in range(n // 10)}
    return result, met


def main(sizes: list[int]) -> None:
    print(f"{'people':>7} {'method':>12} {'seconds':>8} {'cpu s':>6} {'pairs':>6} {'total':>7} {'bound':>7} "
          f"{'greedy':>7} {'/bound':>7} {'/greedy':>8}")
    for n in sizes:
        peers, met = people(n)
        started, cpu = time.perf_counter(), time.process_time()
        result = pair_round(peers, met)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"{n:>7} {result.method:>12} {seconds:>8.2f} {cpu:>6.2f} {len(result.pairs):>6} {result.total:>7} "
              f"{result.bound:>7.0f} {result.greedy_total:>7} {result.ratio_to_bound:>7.4f} "
              f"{result.ratio_to_greedy:>8.4f}")
    print(f"(exact blossom matching up to {EXACT_LIMIT} people, LP rounding + local search beyond; above "
          f"{DENSE_LP_LIMIT} the LP on each person's {SPARSE_NEIGHBOURS} best partners, with a sparse upper bound)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [300, 1000, 5000, 10000])
