"""Figures for municipalities and results at scale (not part of `make test`).

    DATABASE_URL=sqlite:////tmp/bench.sqlite .venv/bin/python bench/municipalities_bench.py [--scale 50]

Loads the demo at the given scale into an empty database (migrated first), then times: the public
results (JSON and page), a municipality page, the archive export, and an import of 2,000 rows.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import tempfile
import time

from sqlalchemy import func, select


def timed(label, fn, repeat=1):
    started = time.perf_counter()
    for _ in range(repeat):
        result = fn()
    elapsed = (time.perf_counter() - started) / repeat
    print(f"{label:<45} {elapsed * 1000:8.1f} ms")
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=50)
    args = parser.parse_args()
    from app import create_app
    from app.auth.models import User
    from app.core.demo import load_demo
    from app.extensions import db
    from app.municipalities import services
    from app.municipalities.models import Municipality, SeapAction
    from app.results.archive import export_archive

    app = create_app({"SERVER_NAME": "localhost", "TESTING": True})
    with app.app_context():
        db.create_all()
        if not db.session.scalar(select(func.count()).select_from(User)):
            timed(f"demo load --scale {args.scale}", lambda: (load_demo(args.scale), db.session.commit()))
        n_m = db.session.scalar(select(func.count()).select_from(Municipality))
        n_a = db.session.scalar(select(func.count()).select_from(SeapAction))
        print(f"{n_m} municipalities, {n_a} actions")
        client = app.test_client()
        timed("GET /api/v1/results", lambda: client.get("/api/v1/results"), repeat=5)
        timed("GET /results/", lambda: client.get("/results/"), repeat=5)
        timed("GET /results/charts/over-time.svg", lambda: client.get("/results/charts/over-time.svg"), repeat=5)
        first = db.session.scalar(select(Municipality.id).order_by(Municipality.id))
        timed("GET /municipalities/<id>", lambda: client.get(f"/municipalities/{first}"), repeat=5)
        timed("GET /municipalities/ (page 1)", lambda: client.get("/municipalities/"), repeat=5)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "archive.sqlite")
            counts = timed("data export (archive)", lambda: export_archive(path))
            print(f"  {sum(counts.values())} rows, {os.path.getsize(path) / 1e6:.1f} MB")
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["name", "country", "population", "seap_submitted_on", "reduction_target_percent"])
        for i in range(2000):
            writer.writerow([f"Bench town {time.time_ns()}-{i}", "IT", 10000 + i, "2014-05-01", 20])
        admin = db.session.scalar(select(User).where(User.role == "admin"))
        result = timed("import 2,000 CSV rows", lambda: services.import_municipalities(
            admin, buffer.getvalue().encode()))
        db.session.rollback()
        print(f"  imported {len(result.imported)}, rejected {len(result.rejected)} (rolled back)")


if __name__ == "__main__":
    main()
