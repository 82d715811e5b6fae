#!/usr/bin/env python3
"""Benchmark of the visitors' training catalogue under load, beside /healthz of the same server.

    .venv/bin/python bench/courses_catalogue.py [--scale 50] [--workers 3] [--connections 32]
                                                [--seconds 10] [--runs 2]
                                                [--database-url postgresql+psycopg://…/empty_db]

Loads `demo load --scale N` into a fresh SQLite file (or wipes the PostgreSQL database given), starts
gunicorn with sync workers, and loads each URL with `wrk` (Python threads without it), `--runs` times,
alternating URLs; prints requests per second (min/median, and the median as a multiple of /healthz's)
and the p99 latency. Then it times one uncached render of the catalogue inside the process.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time

from _server import BIN, ROOT, Gunicorn, environment, load, prepare, report, tool

URLS = ["/healthz", "/courses/", "/courses/?q=energy&language=el", "/courses/?when=90&country=GR",
        "/courses/?page=10", "/api/v1/modules?per_page=20"]

RENDER = """
import time
from app import create_app
from app.core import cache
app = create_app()
times = []
with app.app_context():
    for url in ("/courses/", "/courses/?q=energy&language=el", "/courses/?when=90&country=GR") * 20:
        cache.clear()
        with app.test_request_context(url, headers={"Accept-Language": "en"}):
            app.preprocess_request()
            began = time.perf_counter()
            app.view_functions["courses.index"]()
            times.append((url, (time.perf_counter() - began) * 1000))
for url in dict(times):
    mine = sorted(t for u, t in times if u == url)
    print(f"  uncached render of {url:<34} min {mine[0]:6.1f} ms, median {mine[len(mine) // 2]:6.1f} ms")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--database-url", default=None, help="an EMPTY PostgreSQL database (it is wiped)")
    args = parser.parse_args()
    database_url, env, tmp = environment(args.database_url)
    prepare(database_url, args.scale, env)
    server = Gunicorn(env, args.workers, tmp)
    try:
        for path in URLS:  # warm every worker
            load(server.port, path, args.workers, 1.0)
        kind = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
        print(f"{kind}, gunicorn {args.workers} sync workers, {args.connections} connections ({tool()}), "
              f"{args.seconds:.0f} s per URL and run, {args.runs} runs")
        runs: dict[str, list[dict]] = {path: [] for path in URLS}
        for _ in range(args.runs):
            for path in URLS:
                runs[path].append(load(server.port, path, args.connections, args.seconds))
                time.sleep(0.5)
        report(list(runs.items()), baseline="/healthz")
    finally:
        server.stop()
    subprocess.run([str(BIN / "python"), "-c", RENDER], cwd=ROOT, env=env, check=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    sys.exit(main())
