"""The command line of docs/api.md: users create, users token, demo load."""
from __future__ import annotations

from sqlalchemy import func, select

from app.auth.models import ApiToken, User


def test_users_create_and_token(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "coach@example.org", "--name", "Eleni", "--password",
                                 "a long enough password", "--role", "trainer", "--com-role", "other", "--country", "GR",
                                 "--coach", "--language", "nl"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "coach@example.org"))
    assert (user.role, user.is_coach, user.timezone, user.language) == ("trainer", True, "Europe/Athens", "nl")
    result = runner.invoke(args=["users", "token", "coach@example.org"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert db.session.scalar(select(func.count(ApiToken.id))) == 1


def test_users_create_bad_input_exits_2_without_traceback(app, make):
    make.user(email="taken@example.org")
    runner = app.test_cli_runner()
    cases = [
        ["users", "create", "taken@example.org", "--name", "X", "--password", "a long enough password", "--country", "BE"],
        ["users", "create", "new@example.org", "--name", "X", "--password", "short", "--country", "BE"],
        ["users", "create", "new@example.org", "--name", "X", "--password", "a long enough password", "--country", "QQ"],
        ["users", "create", "new@example.org", "--name", "X", "--password", "a long enough password", "--country", "BE",
         "--timezone", "Mars/Base"],
        ["users", "create", "not-an-email", "--name", "X", "--password", "a long enough password", "--country", "BE"],
        ["users", "create", "new@example.org", "--name", "X", "--password", "a long enough password", "--country", "BE",
         "--role", "emperor"],
        ["users", "token", "nobody@example.org"],
    ]
    for args in cases:
        result = runner.invoke(args=args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert "Error" in result.output


def test_demo_load_and_scale(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "admin@demo.mayors-in-action.eu" in result.output
    countries = set(db.session.scalars(select(User.country)))
    assert {"BE", "HR", "GR", "IT", "PL", "ES"} <= countries and len(countries) > 6
    assert db.session.scalar(select(func.count()).where(User.is_coach)) >= 2
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0 and "not loaded" in again.output
    assert runner.invoke(args=["demo", "load"]).exit_code == 2


def test_demo_scale_multiplies(app, db):
    base = len(__import__("app.auth.demo", fromlist=["PEOPLE"]).PEOPLE)
    result = app.test_cli_runner().invoke(args=["demo", "load", "--scale", "5"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(User.id))) == base + 4 * (base - 1)


def test_scheduler_tick_runs_jobs(app):
    result = app.test_cli_runner().invoke(args=["scheduler", "tick"])
    assert result.exit_code == 0, result.output
    assert "send_due_reminders" in result.output


def test_mail_queued_outside_a_request_links_to_the_public_url(app, make, db):
    """The scheduler and the command line have no request: links come from PUBLIC_URL."""
    from app.auth.services import request_password_reset
    from app.core.models import OutboxMessage

    email = make.user().email
    db.session.commit()
    app.config["PUBLIC_URL"] = "https://platform.example.org/mia"
    try:
        with app.app_context():  # a fresh context, as in a scheduler job
            request_password_reset(email)
            db.session.commit()
    finally:
        app.config["PUBLIC_URL"] = "http://127.0.0.1:5000"
    db.session.rollback()  # a new snapshot: see what the job committed
    body = db.session.scalar(select(OutboxMessage.text_body))
    assert "https://platform.example.org/mia/auth/reset/" in body


def test_demo_load_leaves_postgresql_its_statistics(app, db):
    """A freshly bulk-loaded table has no statistics until autovacuum comes by: the planner then guesses
    (the catalogue was five times slower right after `demo load`). The load runs ANALYZE itself."""
    import pytest
    from sqlalchemy import text

    if db.engine.dialect.name != "postgresql":
        pytest.skip("statistics are PostgreSQL's")
    query = text("SELECT relname, last_analyze FROM pg_stat_user_tables "
                 "WHERE relname IN ('course_modules', 'course_sessions', 'course_enrolments', 'users')")
    before = dict(db.session.execute(query).all())
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    after = dict(db.session.execute(query).all())
    fresh = [name for name, at in after.items() if at is not None and (before.get(name) is None or at > before[name])]
    assert len(fresh) == 4, (before, after)
