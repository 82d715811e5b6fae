#!/usr/bin/env python3
"""Benchmark of the training catalogue under load, with /healthz of the same server for comparison.

    .venv/bin/python bench/courses_catalogue.py [--scale 50] [--workers 4] [--clients 16] [--seconds 10]
                                                [--database-url postgresql+psycopg://…/empty_db]

Loads `demo load --scale N` into a fresh SQLite file (or empties the PostgreSQL database given),
starts gunicorn with several workers, then hammers each URL with concurrent keep-alive clients and
prints p50, p99 and requests per second.
"""
from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
URLS = ["/healthz", "/courses/", "/courses/?when=90&country=GR", "/courses/?q=energy&language=el",
        "/courses/?page=10", "/api/v1/modules?per_page=20"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(database_url: str, scale: int, env: dict) -> None:
    if database_url.startswith("postgresql"):
        reset = ("from app import create_app; from app.extensions import db; app = create_app();\n"
                 "with app.app_context():\n"
                 "    db.drop_all(); db.session.execute(db.text('DROP TABLE IF EXISTS alembic_version'));"
                 " db.session.commit()")
        subprocess.run([str(BIN / "python"), "-c", reset], cwd=ROOT, env=env, check=True)
    flask = [str(BIN / "flask"), "--app", "app"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    started = time.perf_counter()
    out = subprocess.run(flask + ["demo", "load", "--scale", str(scale)], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)
    print(f"demo load --scale {scale}: {time.perf_counter() - started:.1f} s ({out.stdout.splitlines()[0]})")


def hammer(port: int, path: str, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        while time.perf_counter() < stop_at:
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept-Language": "en"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - began)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {"requests": len(latencies), "errors": errors[0], "rps": len(latencies) / elapsed,
            "p50": q[49] * 1000, "p99": q[98] * 1000}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--database-url", default=None, help="an EMPTY PostgreSQL database (it is wiped)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="mia-bench-")
    database_url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
    env = dict(os.environ, DATABASE_URL=database_url, FLASK_SECRET_KEY="bench-secret",
               FLASK_RATELIMIT_ENABLED="false", MIA_NO_SCHEDULER="1", LOG_LEVEL="WARNING")
    prepare(database_url, args.scale, env)
    port = free_port()
    log = open(Path(tmp) / "gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(args.workers), "--bind",
                               f"127.0.0.1:{port}", "--log-level", "warning", "app:create_app()"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        for path in URLS:  # warm every worker
            hammer(port, path, args.workers, 1.0)
        kind = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
        print(f"{kind}, gunicorn {args.workers} sync workers, {args.clients} concurrent clients, "
              f"{args.seconds:.0f} s per URL, {os.cpu_count()} CPU cores")
        print(f"{'URL':<36} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7}")
        for path in URLS:
            r = hammer(port, path, args.clients, args.seconds)
            print(f"{path:<36} {r['rps']:>8.1f} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['requests']:>9} "
                  f"{r['errors']:>7}")
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
