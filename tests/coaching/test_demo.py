"""Demo data: coaches with availability and a history of appointments; the pages show them."""
from __future__ import annotations

from sqlalchemy import func, select

from app.coaching.demo import SUMMARIES
from app.coaching.models import Appointment, CoachProfile
from app.core.demo import load_demo


def test_demo_coaches_and_history(app, db, client, login):
    ctx = load_demo(scale=2)
    db.session.commit()
    users = ctx.data["users"]
    profiles = db.session.scalars(select(CoachProfile)).all()
    assert {users["eleni.coach"].id, users["marco.coach"].id, users["trainer"].id} <= {p.coach_id for p in profiles}
    assert len(profiles) == 6  # three coaches and their scaled copies
    statuses = dict(db.session.execute(select(Appointment.status, func.count()).group_by(Appointment.status)).all())
    assert statuses["booked"] > 10 and statuses.get("cancelled", 0) > 0
    assert db.session.scalar(select(func.count()).where(Appointment.summary != "")) > 5
    login(users["eleni.coach"], password=ctx.data["password"])
    for path in ("/coaching/", "/coaching/appointments/", "/coaching/availability",
                 f"/coaching/coaches/{users['marco.coach'].id}"):
        assert client.get(path).status_code == 200, path
    history = client.get("/coaching/appointments/").get_data(as_text=True)
    assert any(summary[:40] in history for summary, _actions in SUMMARIES)
