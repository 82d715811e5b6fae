"""How many mails per second the delivery job sends to a local SMTP server.

    .venv/bin/python bench/notifications_delivery.py [--mails 2000] [--database-url URL] [--batch 200]

Starts aiosmtpd (a Sink that accepts and drops every message) as its own process on loopback,
queues N mails (one in four with a calendar invitation) in a fresh database, then times
`deliver_outbox()`: claim, build the MIME message, SMTP, mark sent and commit, message by message.
"""
from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ICS = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
       b"UID:appointment-1@bench\r\nDTSTAMP:20260302T090000Z\r\nDTSTART:20260303T090000Z\r\n"
       b"DTEND:20260303T100000Z\r\nSUMMARY:Coaching\r\nSEQUENCE:0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("SMTP server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from app import create_app
    from app.auth.models import User
    from app.core.delivery import deliver_outbox
    from app.core.mail import calendar_attachment, queue_mail
    from app.extensions import db

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                               "-c", "aiosmtpd.handlers.Sink"])
    try:
        wait_for(port)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SERVER_NAME": "localhost",
                          "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_BATCH_SIZE": args.batch,
                          "MAIL_MAX_BATCHES": 10_000})
        with app.app_context():
            db.drop_all()
            db.create_all()
            users = [User(email=f"bench{n}@example.org", name=f"Bench User {n}", password_hash="x",
                          country="BE", timezone="Europe/Brussels", language="nl" if n % 2 else "en")
                     for n in range(100)]
            db.session.add_all(users)
            db.session.flush()
            started = time.perf_counter()
            for n in range(args.mails):
                attachments = [calendar_attachment(ICS, "REQUEST")] if n % 4 == 0 else None
                queue_mail(users[n % len(users)], "enrolment", "password_reset", subject=f"Bench mail {n}",
                           context={"minutes": 60, "link": f"https://example.org/{n}"}, attachments=attachments,
                           in_app=False)
            db.session.commit()
            db.session.expunge_all()  # the scheduler's job starts with a fresh session
            queued = time.perf_counter() - started
            started, cpu_started = time.perf_counter(), time.process_time()
            result = deliver_outbox()
            db.session.commit()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            dialect = db.engine.dialect.name
        print(f"database: {dialect}; mails: {args.mails} (1 in 4 with an invitation); "
              f"batch {args.batch}")
        print(f"queue_mail: {args.mails / queued:.0f} mails/s (render + insert)")
        print(f"delivery:   {result}; {elapsed:.2f} s; {result.sent / elapsed:.0f} mails/s to local aiosmtpd "
              f"({cpu:.2f} CPU s in the delivering process: {result.sent / cpu:.0f} mails per CPU second)")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
