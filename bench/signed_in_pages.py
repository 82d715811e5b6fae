#!/usr/bin/env python3
"""Benchmark of the pages people open every day once signed in, under load.

    .venv/bin/python bench/signed_in_pages.py [--scale 50] [--workers 3] [--connections 16]
                                              [--seconds 10] [--runs 2]
                                              [--database-url postgresql+psycopg://…/empty_db]

Loads `demo load --scale N`, signs the demo people in through the real login form, then loads each
page with their session cookie (`wrk`, or Python threads without it): a participant's home and
"My training", a coach's week, the municipality with the most inventories given ten years of
monitoring inventories and reports (as the issue asks; the demo has at most two), and the
coordinator dashboard. Prints requests per second and p99 (min/median of the runs) beside /healthz.
These pages keep their bodies per person until their data changes (docs/caching.md), so the load
measures kept pages; then each page is timed inside the process, kept and rendered anew (the cache
cleared, as right after a change), 20 times each.
"""
from __future__ import annotations

import argparse
import http.client
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from _server import BIN, ROOT, Gunicorn, environment, load, prepare, report, tool

TEN_YEARS = """
import random
from datetime import date
from sqlalchemy import func, select
from app import create_app
from app.extensions import db
from app.municipalities.demo import INVENTORY_TOWNS, _inventory
from app.municipalities.models import Inventory, MonitoringReport, Municipality
app = create_app()
with app.app_context():
    counts = dict(db.session.execute(select(Inventory.municipality_id, func.count()).group_by(
        Inventory.municipality_id)).all())
    town = db.session.get(Municipality, max(counts, key=lambda m: (counts[m], -m)))
    # ten years of monitoring inventories and a report each year, as a municipality monitored since 2014 has
    _, change, pv, chp = INVENTORY_TOWNS.get(town.name, (True, 0.8, 20, False))
    rng, last = random.Random(10), date.today().year - 1
    have = {i.year for i in town.inventories}
    for n, year in enumerate(range(last - 9, last + 1)):
        if year not in have and year > (town.baseline_year or 2008):
            db.session.add(_inventory(rng, town, "monitoring", year, 1 - (1 - change) * (n + 1) / 10, pv, chp))
        kind = "full" if n % 4 == 3 else "action"
        db.session.add(MonitoringReport(municipality=town, submitted_on=date(year + 1, 3, 31), kind=kind,
                                        monitoring_year=year if kind == "full" else None))
    db.session.commit()
    print(town.id, len(town.inventories), len(town.reports))
"""

RENDER = """
import re, sys, time
from app import create_app
from app.core import cache
app = create_app()
password, pages = sys.argv[1], [page.split("=", 1) for page in sys.argv[2:]]
for who, path in pages:
    client = app.test_client()
    form = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', form).group(1)
    client.post("/auth/login", data={"email": f"{who}@demo.mayors-in-action.eu", "password": password,
                                     "csrf_token": token})
    client.get(path)
    kept, anew = [], []
    for _ in range(20):
        began = time.perf_counter()
        assert client.get(path).status_code == 200
        kept.append((time.perf_counter() - began) * 1000)
        cache.clear()
        began = time.perf_counter()
        client.get(path)
        anew.append((time.perf_counter() - began) * 1000)
    kept.sort(), anew.sort()
    print(f"  {who + ' ' + path:<40} kept: min {kept[0]:5.1f} ms, median {kept[10]:5.1f} ms · "
          f"rendered anew: min {anew[0]:5.1f} ms, median {anew[10]:5.1f} ms")
"""


def sign_in(port: int, email: str, password: str) -> str:
    """The session cookie of a browser signed in through the login form (with its CSRF token)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/auth/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    conn.request("POST", "/auth/login", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"sign-in of {email} failed: {response.status}")
    return response.getheader("Set-Cookie").split(";", 1)[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--database-url", default=None, help="an EMPTY PostgreSQL database (it is wiped)")
    args = parser.parse_args()
    database_url, env, tmp = environment(args.database_url)
    logins = f"{tmp}/logins.txt"
    prepare(database_url, args.scale, env, logins_file=logins)
    password = re.search(r"\S+@\S+\s+(\S+)", Path(logins).read_text().splitlines()[1]).group(1)
    busiest, inventories, reports = subprocess.run(
        [str(BIN / "python"), "-c", TEN_YEARS], cwd=ROOT, env=env, check=True, capture_output=True,
        text=True).stdout.split()
    print(f"municipality {busiest}: {inventories} inventories, {reports} monitoring reports")
    domain = "demo.mayors-in-action.eu"
    pages = [("", "/healthz"), ("maria", "/"), ("maria", "/courses/my"), ("maria", f"/municipalities/{busiest}"),
             ("maria", "/municipalities/dashboard"), ("eleni.coach", "/"),
             ("eleni.coach", "/coaching/appointments/"), ("trainer", "/"), ("admin", "/")]
    server = Gunicorn(env, args.workers, tmp)
    try:
        cookies = {who: sign_in(server.port, f"{who}@{domain}", password) for who in {w for w, _ in pages if w}}
        labels = [(f"{who or 'visitor'} {path}", path, {"Cookie": cookies[who]} if who else {})
                  for who, path in pages]
        for _label, path, headers in labels:  # warm every worker
            load(server.port, path, args.workers, 1.0, headers)
        kind = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
        print(f"{kind}, gunicorn {args.workers} sync workers, {args.connections} connections ({tool()}), "
              f"{args.seconds:.0f} s per page and run, {args.runs} runs")
        runs: dict[str, list[dict]] = {label: [] for label, _path, _headers in labels}
        for _ in range(args.runs):
            for label, path, headers in labels:
                runs[label].append(load(server.port, path, args.connections, args.seconds, headers))
                time.sleep(0.5)
        report(list(runs.items()), baseline="visitor /healthz")
    finally:
        server.stop()
    print("In process, one request at a time:")
    subprocess.run([str(BIN / "python"), "-c", RENDER, password, *(f"{who}={path}" for who, path in pages if who)],
                   cwd=ROOT, env=env, check=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    sys.exit(main())
