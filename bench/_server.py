"""What the HTTP benchmarks share: demo data in a fresh database, a real gunicorn, and a load generator.

The load comes from `wrk` (Debian's package) when it is installed, otherwise from Python threads with
keep-alive connections (slower: the clients then take part of the CPU the server needs).
"""
from __future__ import annotations

import http.client
import os
import re
import shutil
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url: str | None) -> tuple[str, dict, str]:
    tmp = tempfile.mkdtemp(prefix="mia-bench-")
    url = database_url or f"sqlite:///{tmp}/bench.sqlite"
    env = dict(os.environ, DATABASE_URL=url, FLASK_SECRET_KEY="bench-secret", FLASK_RATELIMIT_ENABLED="false",
               FLASK_SESSION_COOKIE_SECURE="false", FLASK_REMEMBER_COOKIE_SECURE="false",
               MIA_NO_SCHEDULER="1", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    return url, env, tmp


def prepare(database_url: str, scale: int, env: dict, logins_file: str | None = None) -> None:
    """An empty database (a PostgreSQL one is wiped), the schema, and `demo load --scale N`."""
    if database_url.startswith("postgresql"):
        reset = ("from app import create_app; from app.extensions import db; app = create_app();\n"
                 "with app.app_context():\n"
                 "    db.drop_all(); db.session.execute(db.text('DROP TABLE IF EXISTS alembic_version'));"
                 " db.session.commit()")
        subprocess.run([str(BIN / "python"), "-c", reset], cwd=ROOT, env=env, check=True)
    flask = [str(BIN / "flask"), "--app", "app"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    started = time.perf_counter()
    extra = ["--logins-file", logins_file] if logins_file else []
    out = subprocess.run(flask + ["demo", "load", "--scale", str(scale), *extra], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)
    print(f"demo load --scale {scale}: {time.perf_counter() - started:.1f} s ({out.stdout.splitlines()[0]})")


class Gunicorn:
    def __init__(self, env: dict, workers: int, tmp: str):
        self.port = free_port()
        self.log = open(Path(tmp) / "gunicorn.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--preload", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "app:create_app()"], cwd=ROOT, env=env, stdout=self.log,
            stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)
        self.log.close()


def load(port: int, path: str, connections: int, seconds: float, headers: dict | None = None) -> dict:
    """Requests per second, p50 and p99 in ms, and the count of non-2xx/3xx answers or errors."""
    headers = {"Accept-Language": "en", **(headers or {})}
    if shutil.which("wrk"):
        return _wrk(port, path, connections, seconds, headers)
    return _threads(port, path, connections, seconds, headers)


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _wrk(port: int, path: str, connections: int, seconds: float, headers: dict) -> dict:
    command = ["wrk", "--latency", "-t", "2", "-c", str(connections), "-d", f"{max(1, int(seconds))}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                         check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    if "99" not in latency:
        raise RuntimeError(f"wrk measured nothing on {path}:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "p50": _ms(latency["50"]), "p99": _ms(latency["99"]), "errors": errors}


def _threads(port: int, path: str, connections: int, seconds: float, headers: dict) -> dict:
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
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
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

    threads = [threading.Thread(target=client) for _ in range(connections)]
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


def tool() -> str:
    return "wrk" if shutil.which("wrk") else "Python threads"


def report(rows: list[tuple[str, list[dict]]], baseline: str | None = None) -> None:
    """Each URL's runs as min/median of req/s and p99, and the req/s as a multiple of the baseline's."""
    base = statistics.median(r["rps"] for r in dict(rows)[baseline]) if baseline else None
    print(f"{'URL':<40} {'req/s min/med':>15} {'× base':>7} {'p99 ms min/med':>16} {'errors':>7}")
    for path, runs in rows:
        rps = sorted(r["rps"] for r in runs)
        p99 = sorted(r["p99"] for r in runs)
        ratio = f"{statistics.median(rps) / base:.2f}" if base else ""
        print(f"{path:<40} {rps[0]:>7.0f}/{statistics.median(rps):<7.0f} {ratio:>7} "
              f"{p99[0]:>7.0f}/{statistics.median(p99):<8.0f} {sum(r['errors'] for r in runs):>7}")
