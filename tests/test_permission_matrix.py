"""The permission matrix: every feature's object pages and API endpoints × the people around an object.

One `world` holds one object of each kind per feature, owned by the right people:

- participant: enrolled in the published module's session, holds its certificate, booked the coach,
  exchanges with `partner` (and submitted the exchange's report, a good practice awaiting review),
  is the municipality's accepted editor, has a notification, an API token and a calendar feed;
- other: another participant, with a granted coordinator role like the participant, owning nothing;
- trainer: teaches the draft and the published module (and so reviews good practices, as trainers do);
- other_trainer: a trainer who teaches neither module;
- coach: the coach of the appointment (coaches are trainers too);
- admin.

Two more people try the rows about Covenant roles and invitations: `claimed` (a role claimed at
registration, not granted) and `invited` (invited as editor, not accepted).

The rule the table follows (app/core/permissions.py): 404 for what you may not see, 403 for what
you may see but not change. HTML pages send anonymous people to sign in (302 to /auth/login);
a 302 for a signed-in person goes anywhere but /auth/login. The API answers 401 without a token.
Writes use harmless bodies. An allowed write answers 2xx, or 409 when the world's state stops it
after the permission checks (an attendance before the session, an enrolment already there); after
a write that changes what the next role would meet (FRESH), the next role meets the world afresh.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

ROLES = ["anonymous", "participant", "other", "trainer", "other_trainer", "coach", "admin"]


def by_role(anonymous, participant, other, trainer, other_trainer, coach, admin, **extra) -> dict:
    """Expected statuses in ROLES order; `extra` adds claimed or invited."""
    return {"anonymous": anonymous, "participant": participant, "other": other, "trainer": trainer,
            "other_trainer": other_trainer, "coach": coach, "admin": admin, **extra}


def everyone(status) -> dict:
    return by_role(*[status] * len(ROLES))


def signed_in(status, anonymous=302) -> dict:
    return by_role(anonymous, *[status] * (len(ROLES) - 1))


ADMIN_ONLY = by_role(302, 403, 403, 403, 403, 403, 200)
TRAINERS = by_role(302, 403, 403, 200, 200, 200, 200)  # the trainer role (coaches and admins have it)
# Managing the published module or its session: its trainer and admins; the others see it (403).
MODULE_EDITORS = by_role(302, 403, 403, 200, 403, 403, 200)
# The draft module: hidden (404) from participants, seen by every trainer, changed by its own.
DRAFT_EDITORS = by_role(302, 404, 404, 200, 403, 403, 200)
DRAFT_VISIBLE = by_role(404, 404, 404, 200, 200, 200, 200)
# The appointment: its two sides and admins; hidden from everyone else.
APPOINTMENT = by_role(302, 200, 404, 404, 404, 200, 200)
# The exchange: its two people only, admins included in "everyone else".
EXCHANGE = by_role(302, 200, 404, 404, 404, 404, 404)
# The municipality: its accepted members (the participant, editor) and admins change it; all see it.
TOWN_EDITORS = by_role(302, 200, 403, 403, 403, 403, 200)

# HTML: (method, path, expected by role, form data)
PAGES = [
    # Public and account pages
    ("GET", "/", everyone(200), None),
    ("GET", "/contact", everyone(200), None),
    ("GET", "/privacy", everyone(200), None),
    ("GET", "/auth/login", by_role(200, 302, 302, 302, 302, 302, 302), None),
    ("GET", "/auth/register", by_role(200, 302, 302, 302, 302, 302, 302), None),
    ("GET", "/auth/profile", {**signed_in(200), "claimed": 200}, None),
    ("GET", "/auth/password", signed_in(200), None),
    ("GET", "/auth/delete", signed_in(200), None),
    ("POST", "/auth/my-data", signed_in(200), {}),
    ("POST", "/auth/calendar/rotate", signed_in(302), {}),
    # Revoking the participant's API token: a 404 for everyone but its owner.
    ("POST", "/auth/tokens/{token}/revoke", by_role(302, 302, 404, 404, 404, 404, 404), {}),
    # Administration
    ("GET", "/admin/", ADMIN_ONLY, None),
    ("GET", "/admin/users", {**ADMIN_ONLY, "claimed": 403}, None),
    ("GET", "/admin/users/{other}", ADMIN_ONLY, None),
    ("POST", "/admin/users/{other}", ADMIN_ONLY | {"admin": 302}, {}),
    ("GET", "/admin/outbox", ADMIN_ONLY, None),
    ("GET", "/admin/outbox/{mail}", ADMIN_ONLY, None),
    ("GET", "/admin/audit", ADMIN_ONLY, None),
    ("POST", "/admin/outbox/{mail}/retry", by_role(302, 403, 403, 403, 403, 403, 302), {}),
    # Deleting someone's account is for admins only (unconfirmed here, so the admin is sent back).
    ("POST", "/admin/users/{other}/erase", by_role(302, 403, 403, 403, 403, 403, 302), {}),
    # Granting a claimed Covenant role: administrators only.
    ("POST", "/admin/users/{claimed}/com-role/grant", by_role(302, 403, 403, 403, 403, 403, 302), {}),
    # Training
    ("GET", "/courses/", {**everyone(200), "claimed": 200}, None),
    ("GET", "/courses/manage", TRAINERS, None),
    ("GET", "/courses/modules/new", TRAINERS, None),
    ("GET", "/courses/my", signed_in(200), None),
    ("GET", "/courses/modules/{module}", everyone(200), None),
    ("GET", "/courses/modules/{draft}", DRAFT_VISIBLE, None),
    ("GET", "/courses/modules/{module}/edit", MODULE_EDITORS, None),
    ("GET", "/courses/modules/{draft}/edit", DRAFT_EDITORS, None),
    ("GET", "/courses/modules/{module}/sessions/new", MODULE_EDITORS, None),
    # The module's materials are restricted: its trainers, admins and the people with a seat.
    ("GET", "/courses/materials/{material}", by_role(302, 200, 403, 200, 403, 403, 200), None),
    ("GET", "/courses/sessions/{session}", everyone(200), None),
    ("GET", "/courses/sessions/{draft_session}", DRAFT_VISIBLE, None),
    ("GET", "/courses/sessions/{session}/invite.ics", everyone(200), None),
    ("GET", "/courses/sessions/{session}/edit", MODULE_EDITORS, None),
    ("GET", "/courses/sessions/{session}/cancel", MODULE_EDITORS, None),
    ("GET", "/courses/sessions/{session}/attendance", MODULE_EDITORS, None),
    ("GET", "/courses/sessions/{draft_session}/attendance", DRAFT_EDITORS, None),
    ("GET", "/courses/sessions/{session}/participants.csv", MODULE_EDITORS, None),
    ("GET", "/courses/sessions/{draft_session}/participants.csv", DRAFT_EDITORS, None),
    ("GET", "/courses/sessions/{session}/feedback/results", MODULE_EDITORS, None),
    # Feedback opens once the session has started: everyone signed in is sent back to the session.
    ("GET", "/courses/sessions/{session}/feedback", signed_in(302), None),
    # The certificate: its holder, the module's trainers and admins; hidden from everyone else.
    ("GET", "/courses/certificates/{certificate}.pdf", by_role(302, 200, 404, 200, 404, 404, 200), None),
    ("GET", "/courses/verify/{certificate_code}", everyone(200), None),
    # Resending a certificate: the module's trainers and admins (back to the page); hidden from the others.
    ("POST", "/courses/certificates/{certificate}/resend", by_role(302, 404, 404, 302, 404, 404, 302), {}),
    # Managing writes: its trainer and admins go through (and back to the page), the others may not (403).
    ("POST", "/courses/modules/{module}/materials", MODULE_EDITORS | {"trainer": 302, "admin": 302}, {"title": ""}),
    ("POST", "/courses/sessions/{session}/enrolments/{enrolment}/approve",
     MODULE_EDITORS | {"trainer": 302, "admin": 302}, {}),
    ("POST", "/courses/sessions/{session}/participants", MODULE_EDITORS | {"trainer": 302, "admin": 302},
     {"email": "invitee@example.org"}),
    ("POST", "/courses/modules/{module}/edit", MODULE_EDITORS | {"trainer": 302, "admin": 302}, {}),
    ("POST", "/courses/modules/{module}/sessions/new", MODULE_EDITORS, {}),
    ("POST", "/courses/sessions/{session}/edit", MODULE_EDITORS | {"trainer": 302, "admin": 302}, {}),
    ("POST", "/courses/sessions/{session}/attendance", MODULE_EDITORS, {}),
    ("POST", "/courses/sessions/{session}/cancel", MODULE_EDITORS | {"trainer": 302, "admin": 302}, {}),
    ("POST", "/courses/materials/{material}/delete", MODULE_EDITORS | {"trainer": 302, "admin": 302}, {}),
    ("POST", "/courses/sessions/{session}/enrolments/{enrolment}/move", MODULE_EDITORS | {"trainer": 302, "admin": 302},
     {"target": "{second_session}"}),
    ("POST", "/courses/sessions/{session}/enrol", signed_in(302), {}),
    ("POST", "/courses/sessions/{draft_session}/enrol", DRAFT_VISIBLE | {"anonymous": 302, "trainer": 302,
     "other_trainer": 302, "coach": 302, "admin": 302}, {}),
    ("POST", "/courses/sessions/{session}/leave", signed_in(302), {}),
    ("POST", "/courses/sessions/{session}/feedback", signed_in(302), {}),
    ("POST", "/courses/sessions/{session}/duplicate", by_role(302, 403, 403, 302, 403, 403, 302), {}),
    ("POST", "/courses/sessions/{draft_session}/duplicate", by_role(302, 404, 404, 302, 403, 403, 302), {}),
    # Coaching
    ("GET", "/coaching/", everyone(200), None),
    ("GET", "/coaching/appointments/", signed_in(200), None),
    ("GET", "/coaching/coaches/{coach}", everyone(200), None),
    ("GET", "/coaching/availability", by_role(302, 403, 403, 403, 403, 200, 403), None),
    ("GET", "/coaching/appointments/{appointment}", APPOINTMENT, None),
    ("GET", "/coaching/appointments/{appointment}/invitation.ics", APPOINTMENT, None),
    # The coach's side (summary, no-show): its coach and admins (refused before the start: sent back);
    # the participant sees the appointment but may not change that side.
    ("POST", "/coaching/appointments/{appointment}/summary", by_role(302, 403, 404, 404, 404, 302, 302),
     {"summary": "We talked."}),
    ("POST", "/coaching/appointments/{appointment}/no-show", by_role(302, 403, 404, 404, 404, 302, 302), {}),
    # Booking needs a chosen slot: without one, everyone signed in is sent back to the coach's page.
    ("GET", "/coaching/coaches/{coach}/book", signed_in(302), None),
    ("POST", "/coaching/coaches/{coach}/book", signed_in(302), {}),
    ("POST", "/coaching/appointments/{appointment}/reschedule", APPOINTMENT | {"participant": 302, "coach": 302,
                                                                               "admin": 302}, {}),
    ("POST", "/coaching/appointments/{appointment}/cancel", APPOINTMENT | {"participant": 302, "coach": 302,
                                                                           "admin": 302}, {}),
    # Peer exchanges and good practices
    ("GET", "/peers/", everyone(200), None),
    ("GET", "/peers/suggestions", signed_in(200), None),
    ("GET", "/peers/propose/{partner}", signed_in(200), None),
    ("POST", "/peers/propose/{partner}", signed_in(200), {}),
    ("POST", "/peers/exchanges/{exchange}/meetings", EXCHANGE | {"participant": 422}, {}),
    ("POST", "/peers/meetings/{meeting}/cancel", EXCHANGE | {"participant": 302}, {}),
    ("POST", "/peers/exchanges/{exchange}/report", EXCHANGE | {"participant": 302}, {}),
    ("POST", "/peers/review/{practice}", TRAINERS, {}),
    ("GET", "/peers/rounds/{round}", ADMIN_ONLY, None),
    ("POST", "/peers/rounds/{round}/confirm", ADMIN_ONLY | {"admin": 302}, {}),
    ("POST", "/peers/exchanges/{exchange}/complete", EXCHANGE | {"participant": 302}, {}),
    ("GET", "/peers/profile", signed_in(200), None),
    ("GET", "/peers/exchanges/{exchange}", EXCHANGE, None),
    # The report is submitted: its people are sent on to the good practice.
    ("GET", "/peers/exchanges/{exchange}/report", EXCHANGE | {"participant": 302}, None),
    ("GET", "/peers/meetings/{meeting}.ics", EXCHANGE, None),
    ("POST", "/peers/exchanges/{exchange}/messages", by_role(302, 302, 404, 404, 404, 404, 404),
     {"body": "Hello again"}),
    ("GET", "/peers/review", TRAINERS, None),
    ("GET", "/peers/review/{practice}", TRAINERS, None),
    ("GET", "/peers/rounds", ADMIN_ONLY, None),
    ("GET", "/good-practices/", everyone(200), None),
    # A submitted practice: its exchange's people and the reviewers (trainers, admins).
    ("GET", "/good-practices/{practice}", by_role(404, 200, 404, 200, 200, 200, 200), None),
    # Municipalities. Creating and importing need a granted coordinator or supporter role (the
    # participants have one; trainers' Covenant role is "other"; `claimed` only claimed it).
    ("GET", "/municipalities/", everyone(200), None),
    ("GET", "/municipalities/new", by_role(302, 200, 200, 403, 403, 403, 200, claimed=403), None),
    ("GET", "/municipalities/import", by_role(302, 200, 200, 403, 403, 403, 200, claimed=403), None),
    ("GET", "/municipalities/dashboard", signed_in(200), None),
    ("GET", "/municipalities/{town}", everyone(200), None),
    ("GET", "/municipalities/{town}/progress.svg", everyone(200), None),
    # An invitation is not a membership: the invited editor may not edit (see the test below).
    ("GET", "/municipalities/{town}/edit", {**TOWN_EDITORS, "claimed": 403, "invited": 403}, None),
    ("GET", "/municipalities/{town}/actions/new", TOWN_EDITORS, None),
    ("GET", "/municipalities/{town}/actions/{action}/edit", TOWN_EDITORS, None),
    ("GET", "/municipalities/{town}/reports/new", TOWN_EDITORS, None),
    ("POST", "/municipalities/{town}/edit", TOWN_EDITORS | {"participant": 302, "admin": 302}, {}),
    ("POST", "/municipalities/{town}/actions/new", TOWN_EDITORS, {}),
    ("POST", "/municipalities/{town}/actions/{action}/edit", TOWN_EDITORS | {"participant": 302,
                                                                                  "admin": 302}, {}),
    ("POST", "/municipalities/{town}/reports/new", TOWN_EDITORS, {}),
    # Emission inventories: the town's editors and followers, admins enter them; everyone reads them.
    ("GET", "/municipalities/{town}/inventories/new", TOWN_EDITORS, None),
    ("POST", "/municipalities/{town}/inventories/new", TOWN_EDITORS | {"participant": 422, "admin": 422}, {}),
    ("GET", "/municipalities/{town}/sectors.svg", everyone(200), None),
    ("GET", "/municipalities/{town}/inventories/{inventory}", everyone(200), None),
    ("GET", "/municipalities/{town}/inventories/{inventory}.csv", everyone(200), None),
    ("GET", "/municipalities/{town}/inventories/{inventory}.xlsx", everyone(200), None),
    ("GET", "/municipalities/{town}/inventories/{inventory}/edit", TOWN_EDITORS, None),
    ("POST", "/municipalities/{town}/inventories/{inventory}/edit", TOWN_EDITORS | {"participant": 422,
                                                                                     "admin": 422}, {}),
    ("POST", "/municipalities/{town}/inventories/{inventory}/import", TOWN_EDITORS | {"participant": 302,
                                                                                       "admin": 302}, {}),
    ("POST", "/municipalities/{town}/inventories/{inventory}/delete", TOWN_EDITORS | {"participant": 302,
                                                                                       "admin": 302}, {}),
    ("GET", "/municipalities/overview", signed_in(200), None),
    ("GET", "/municipalities/overview.csv", signed_in(200), None),
    ("GET", "/municipalities/emission-factors", signed_in(200), None),
    ("POST", "/municipalities/emission-factors", {**signed_in(403), "admin": 422}, {}),
    # Inviting: admins and the town's accepted, granted members.
    ("POST", "/municipalities/{town}/members", {**TOWN_EDITORS, "participant": 302, "admin": 302, "invited": 403},
     {"email": "invitee@example.org", "role": "follower"}),
    # Removing a member: admins, and members leaving themselves.
    ("POST", "/municipalities/{town}/members/{participant}/remove", TOWN_EDITORS | {"participant": 302,
                                                                                    "admin": 302}, {}),
    ("POST", "/municipalities/{town}/members/{claimed}/remove", by_role(302, 403, 403, 403, 403, 403, 302), {}),
    # Only the invited person answers their invitation (others are sent back, told there is none).
    ("POST", "/municipalities/{town}/invitation/accept", {"anonymous": 302, "other": 302, "invited": 302}, {}),
    # Notifications, results, the calendar feed (its secret address is the permission)
    ("GET", "/notifications/", signed_in(200), None),
    ("GET", "/notifications/preferences", signed_in(200), None),
    ("POST", "/notifications/{notification}/read", by_role(302, 302, 404, 404, 404, 404, 404), {}),
    ("GET", "/results/", everyone(200), None),
    ("GET", "/calendar/{feed}.ics", everyone(200), None),
    ("GET", "/calendar/not-a-feed.ics", everyone(404), None),
]

A = "/api/v1"
API_SIGNED_IN = signed_in(200, anonymous=401)
API_MODULE_EDITORS = by_role(401, 403, 403, 200, 403, 403, 200)
API_DRAFT_EDITORS = by_role(401, 404, 404, 200, 403, 403, 200)
API_APPOINTMENT = by_role(401, 200, 404, 404, 404, 200, 200)
API_EXCHANGE = by_role(401, 200, 404, 404, 404, 404, 404)
API_TOWN_EDITORS = by_role(401, 200, 403, 403, 403, 403, 200)
FAR = "2031-03-03T10:00:00Z"

# API: (method, path, expected by role, JSON body)
API = [
    ("GET", f"{A}/me", API_SIGNED_IN, None),
    ("GET", f"{A}/me/calendar", API_SIGNED_IN, None),
    ("GET", f"{A}/auth/tokens", API_SIGNED_IN, None),
    ("GET", f"{A}/me/enrolments", API_SIGNED_IN, None),
    ("GET", f"{A}/me/appointments", API_SIGNED_IN, None),
    ("GET", f"{A}/me/exchanges", API_SIGNED_IN, None),
    ("GET", f"{A}/me/invitations", API_SIGNED_IN, None),
    ("GET", f"{A}/coaching/coaches/{{coach}}/slots", API_SIGNED_IN, None),
    # Availability is the coaches' own (administrators are not coaches).
    ("PUT", f"{A}/coaching/availability", by_role(401, 403, 403, 403, 403, 200, 403),
     {"timezone": "Europe/Brussels", "slot_minutes": 60, "weekly": [{"weekday": 0, "start": "09:00", "end": "12:00"}]}),
    ("GET", f"{A}/peers/suggestions", API_SIGNED_IN, None),
    ("GET", f"{A}/municipalities/{{town}}/progress", everyone(200), None),
    ("DELETE", f"{A}/auth/tokens/{{token}}", by_role(401, 204, 404, 404, 404, 404, 404), None),
    # Training
    ("GET", f"{A}/modules/{{module}}", everyone(200), None),
    ("GET", f"{A}/modules/{{draft}}", by_role(404, 404, 404, 200, 200, 200, 200), None),
    ("PATCH", f"{A}/modules/{{module}}", API_MODULE_EDITORS, {"summary": "Still harmless."}),
    ("PATCH", f"{A}/modules/{{draft}}", API_DRAFT_EDITORS, {"summary": "Still harmless."}),
    ("GET", f"{A}/sessions/{{session}}", everyone(200), None),
    ("GET", f"{A}/sessions/{{draft_session}}", by_role(404, 404, 404, 200, 200, 200, 200), None),
    ("GET", f"{A}/sessions/{{session}}/ics", everyone(200), None),
    ("PATCH", f"{A}/sessions/{{session}}", API_MODULE_EDITORS, {"capacity": 12}),
    ("PATCH", f"{A}/sessions/{{draft_session}}", API_DRAFT_EDITORS, {"capacity": 12}),
    ("GET", f"{A}/sessions/{{session}}/enrolments", API_MODULE_EDITORS, None),
    ("GET", f"{A}/sessions/{{draft_session}}/enrolments", API_DRAFT_EDITORS, None),
    # Enrolling oneself: the participant has a seat already (409), its trainer trains it (409);
    # a draft's session is not open.
    ("POST", f"{A}/sessions/{{session}}/enrolments", by_role(401, 409, 201, 409, 201, 201, 201), {}),
    ("POST", f"{A}/sessions/{{draft_session}}/enrolments", by_role(401, 404, 404, 409, 409, 409, 409), {}),
    # Enrolling someone else is for the session's trainers and admins.
    ("POST", f"{A}/sessions/{{session}}/enrolments", by_role(401, 403, 403, 201, 403, 403, 201),
     {"user_id": "{partner}"}),
    # Attendance and approval are allowed, but the session has not started and the seat is no request.
    ("POST", f"{A}/sessions/{{session}}/attendance", by_role(401, 403, 403, 409, 403, 403, 409),
     {"user_id": "{participant}", "attended": True}),
    ("POST", f"{A}/sessions/{{session}}/enrolments/{{participant}}/approve",
     by_role(401, 403, 403, 409, 403, 403, 409), None),
    ("POST", f"{A}/sessions/{{session}}/enrolments/{{participant}}/move", by_role(401, 403, 403, 201, 403, 403, 201),
     {"session_id": "{second_session}"}),
    ("POST", f"{A}/modules/{{module}}/sessions", API_MODULE_EDITORS | {"trainer": 201, "admin": 201},
     {"starts_at": FAR, "ends_at": "2031-03-03T13:00:00Z",
     "timezone": "Europe/Brussels", "capacity": 10, "location": "Brussels", "country": "BE"}),
    ("POST", f"{A}/sessions/{{session}}/enrolments/{{participant}}/decline", API_MODULE_EDITORS, None),
    ("POST", f"{A}/sessions/{{session}}/duplicate", API_MODULE_EDITORS | {"trainer": 201, "admin": 201}, None),
    ("POST", f"{A}/sessions/{{session}}/cancel", API_MODULE_EDITORS, {"reason": ""}),
    ("DELETE", f"{A}/sessions/{{session}}/enrolments/{{participant}}", API_MODULE_EDITORS | {"trainer": 204,
                                                                                         "admin": 204}, None),
    # Leaving: only who holds a place has one to leave.
    ("DELETE", f"{A}/sessions/{{session}}/enrolments/me", by_role(401, 204, 404, 404, 404, 404, 404), None),
    # Feedback: participants with a seat, once the session has started (not yet: 403 for all).
    ("POST", f"{A}/sessions/{{session}}/feedback", by_role(401, 403, 403, 403, 403, 403, 403), {"rating": 5}),
    # Coaching
    ("GET", f"{A}/coaching/availability", by_role(401, 403, 403, 403, 403, 200, 403), None),
    ("GET", f"{A}/coaching/appointments/{{appointment}}", API_APPOINTMENT, None),
    ("GET", f"{A}/coaching/appointments/{{appointment}}/ics", API_APPOINTMENT, None),
    ("POST", f"{A}/coaching/appointments/{{appointment}}/reschedule", API_APPOINTMENT,
     {"starts_at": FAR}),
    ("POST", f"{A}/coaching/appointments/{{appointment}}/cancel", API_APPOINTMENT, {}),
    # Peer exchanges and good practices
    ("GET", f"{A}/peers/exchanges/{{exchange}}", API_EXCHANGE, None),
    ("GET", f"{A}/peers/exchanges/{{exchange}}/messages", API_EXCHANGE, None),
    ("POST", f"{A}/peers/exchanges/{{exchange}}/messages", by_role(401, 201, 404, 404, 404, 404, 404),
     {"body": "Hello again"}),
    ("POST", f"{A}/peers/exchanges/{{exchange}}/meetings", API_EXCHANGE | {"participant": 201},
     {"kind": "online", "starts_at": "2031-03-03T10:00:00+01:00", "ends_at": "2031-03-03T11:00:00+01:00",
      "online_url": "https://meet.example.org/x"}),
    ("POST", f"{A}/peers/meetings/{{meeting}}/cancel", API_EXCHANGE, None),
    # The report is submitted already (409) for its people.
    ("POST", f"{A}/peers/exchanges/{{exchange}}/report", API_EXCHANGE | {"participant": 409},
     {"title": "T", "summary": "S", "results": "R", "transferability": "T"}),
    # Accepting and declining are the invited partner's: the proposer sees the exchange but may not (403).
    ("POST", f"{A}/peers/exchanges/{{exchange}}/accept", API_EXCHANGE | {"participant": 403}, None),
    ("POST", f"{A}/peers/exchanges/{{exchange}}/decline", API_EXCHANGE | {"participant": 403}, None),
    ("POST", f"{A}/peers/exchanges/{{exchange}}/cancel", API_EXCHANGE, None),
    ("POST", f"{A}/peers/rounds/{{round}}/confirm", by_role(401, 403, 403, 403, 403, 403, 200), None),
    ("POST", f"{A}/peers/exchanges/{{exchange}}/complete", API_EXCHANGE, None),
    ("GET", f"{A}/good-practices/{{practice}}", by_role(404, 200, 404, 200, 200, 200, 200), None),
    # The participant sees their own report but does not review it (403); outsiders do not see it (404).
    ("POST", f"{A}/good-practices/{{practice}}/request-changes", by_role(401, 403, 404, 200, 200, 200, 200),
     {"note": "More detail, please."}),
    ("POST", f"{A}/good-practices/{{practice}}/publish", by_role(401, 403, 404, 200, 200, 200, 200), None),
    # A pairing round (a preview, unconfirmed): administrators only.
    ("POST", f"{A}/peers/rounds", by_role(401, 403, 403, 403, 403, 403, 201), {}),
    # Municipalities
    ("GET", f"{A}/municipalities/{{town}}", everyone(200), None),
    ("GET", f"{A}/municipalities/{{town}}/actions", everyone(200), None),
    ("GET", f"{A}/municipalities/{{town}}/reports", everyone(200), None),
    ("GET", f"{A}/municipalities/{{town}}/inventories", everyone(200), None),
    ("GET", f"{A}/municipalities/{{town}}/inventories/{{inventory}}", everyone(200), None),
    ("POST", f"{A}/municipalities/{{town}}/inventories", API_TOWN_EDITORS | {"participant": 201, "admin": 201},
     {"kind": "monitoring", "year": 2014, "consumption": [
         {"sector": "residential-buildings", "carrier": "natural-gas", "mwh": 900}]}),
    ("PUT", f"{A}/municipalities/{{town}}/inventories/{{inventory}}", API_TOWN_EDITORS | {"participant": 200,
                                                                                          "admin": 200},
     {"kind": "baseline", "year": 2010, "consumption": [
         {"sector": "residential-buildings", "carrier": "natural-gas", "mwh": 900}]}),
    ("DELETE", f"{A}/municipalities/{{town}}/inventories/{{inventory}}", API_TOWN_EDITORS | {"participant": 204,
                                                                                             "admin": 204}, None),
    ("GET", f"{A}/emission-factors", everyone(200), None),
    ("PUT", f"{A}/emission-factors/electricity", by_role(401, 403, 403, 403, 403, 403, 200),
     {"country": "BE", "year": 2010, "approach": "ipcc", "factor": 0.2, "source": "JRC"}),
    ("PATCH", f"{A}/municipalities/{{town}}", API_TOWN_EDITORS, {"population": 50001}),
    ("POST", f"{A}/municipalities/{{town}}/actions", API_TOWN_EDITORS | {"participant": 201, "admin": 201},
     {"title": "New lights", "sector": "public-lighting", "area": "efficient-lighting",
      "instrument": "energy-management"}),
    ("PATCH", f"{A}/actions/{{action}}", API_TOWN_EDITORS, {"title": "Renamed"}),
    ("POST", f"{A}/municipalities/{{town}}/reports", API_TOWN_EDITORS | {"participant": 201, "admin": 201},
     {"submitted_on": "2015-03-01", "kind": "action"}),
    ("POST", f"{A}/municipalities/{{town}}/members", API_TOWN_EDITORS | {"participant": 201, "admin": 201,
                                                                          "invited": 403},
     {"email": "invitee@example.org", "role": "follower"}),
    ("POST", f"{A}/municipalities/{{town}}/invitation/accept", {"anonymous": 401, "other": 404, "invited": 200},
     None),
    # Notifications
    ("GET", f"{A}/me/notifications", API_SIGNED_IN, None),
    ("POST", f"{A}/me/notifications/{{notification}}/read", by_role(401, 200, 404, 404, 404, 404, 404), None),
]

# Cells where the platform answers differently from the rule: (method, path, role) -> status seen.
# The test checks every other cell; these ones it expects to fail (and fails when one is fixed).
BUGS: dict[tuple[str, str, str], int] = {}

# Writes after which the next role would meet another world (moved, removed, cancelled, reviewed…):
# once one role's write went through, the next role meets the world afresh.
FRESH = {
    ("POST", "/municipalities/{town}/inventories/{inventory}/delete"),
    ("DELETE", f"{A}/municipalities/{{town}}/inventories/{{inventory}}"),
    ("POST", f"{A}/municipalities/{{town}}/inventories"),
    ("POST", f"{A}/sessions/{{session}}/enrolments/{{participant}}/move"),
    ("POST", f"{A}/sessions/{{session}}/enrolments"),
    ("DELETE", f"{A}/sessions/{{session}}/enrolments/{{participant}}"),
    ("POST", f"{A}/sessions/{{session}}/cancel"),
    ("POST", f"{A}/coaching/appointments/{{appointment}}/reschedule"),
    ("POST", f"{A}/coaching/appointments/{{appointment}}/cancel"),
    ("POST", f"{A}/good-practices/{{practice}}/request-changes"),
    ("POST", f"{A}/good-practices/{{practice}}/publish"),
    ("POST", f"{A}/municipalities/{{town}}/members"),
    ("POST", f"{A}/peers/meetings/{{meeting}}/cancel"),
    ("POST", f"{A}/peers/exchanges/{{exchange}}/complete"),
    ("POST", f"{A}/sessions/{{session}}/enrolments/{{participant}}/decline"),
    ("POST", "/courses/materials/{material}/delete"),
    ("POST", "/courses/sessions/{session}/enrolments/{enrolment}/move"),
    ("POST", "/courses/sessions/{session}/cancel"),
    ("POST", "/courses/modules/{module}/edit"),
}


@pytest.fixture
def world(app, make, db):
    return build_world(app, make, db)


def fresh_world(app, make, db):
    """The world again, over emptied tables: for a write that changes what the next role would meet."""
    from tests.conftest import _truncate_all

    db.session.remove()
    _truncate_all()
    return build_world(app, make, db)


def build_world(app, make, db):
    """One object of each kind per feature, owned by the right people; ids by name."""
    from app.auth.services import create_api_token, request_password_reset
    from app.coaching import services as coaching
    from app.coaching.models import Appointment
    from app.core.calendar import _feed_token, rotate_feed
    from app.core.models import OutboxMessage
    from app.core.timeutil import utcnow
    from app.courses import services as courses
    from app.courses.models import Certificate, Material
    from app.municipalities.models import (
        Inventory,
        InventoryCell,
        MonitoringReport,
        Municipality,
        MunicipalityMember,
        SeapAction,
    )
    from app.notifications.services import notify
    from app.peers import services as peers

    with app.test_request_context():  # services translate their messages and queue mail
        people = {"participant": make.user(), "other": make.user(country="GR"), "trainer": make.trainer(),
                  "other_trainer": make.trainer(), "coach": make.coach(), "admin": make.admin(),
                  "partner": make.user(country="GR"), "claimed": make.user(com_role_status="claimed"),
                  "invited": make.user(com_role="municipality")}
        make.user(email="invitee@example.org")
        participant, trainer = people["participant"], people["trainer"]
        request_password_reset(people["other"].email)  # a mail in the outbox

        # Training: a draft and a published module, both taught by the trainer.
        module_values = {"summary": "Find households at risk.", "topics": ["energy-poverty"]}
        draft = courses.create_module(trainer, title="Draft module", status="draft", **module_values)
        module = courses.create_module(trainer, title="Published module", status="published", **module_values)
        starts = (utcnow() + timedelta(days=7)).replace(microsecond=0)

        def session(of, days=0):
            return courses.add_session(trainer, of, starts_at=starts + timedelta(days=days),
                                       ends_at=starts + timedelta(days=days, hours=3), capacity=10,
                                       timezone="Europe/Brussels", location="Brussels", country="BE")

        published_session, second_session, draft_session = session(module), session(module, 7), session(draft)
        enrolment = courses.enrol(participant, published_session)
        module.materials_restricted = True  # for its trainers and the people with a seat
        material = Material(module=module, title="Slides", kind="file", filename="slides.pdf",
                            content_type="application/pdf", size=4, data=b"%PDF")
        certificate = Certificate(module=module, user=participant, code=courses.new_certificate_code(),
                                  completed_at=utcnow() - timedelta(days=30))
        db.session.add_all([material, certificate])

        # Coaching: the participant booked the coach.
        coach = people["coach"]
        coaching.set_availability(coach, coaching.validate_availability(
            timezone="Europe/Brussels", slot_minutes=60, min_notice_hours=0, cancel_cutoff_hours=4,
            topics=["financing"], meeting_url="https://meet.example.org/coach",
            weekly=[{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(5)]))
        at = starts.replace(minute=0, second=0)
        appointment = Appointment(coach_id=coach.id, participant_id=participant.id, starts_at=at,
                                  ends_at=at + timedelta(hours=1), status="booked", location="https://meet.example.org")
        db.session.add(appointment)

        # Peers: an accepted exchange with the partner, a meeting, the report awaiting review.
        for person in (participant, people["partner"]):
            peers.save_profile(person, offers=["public-lighting"], needs=["financing"], languages=["en"],
                               bio="Energy coordinator.", places="Limburg", is_available=True, is_public=True)
        exchange = peers.propose_exchange(participant, partner_id=people["partner"].id, topic="public-lighting", message="Hello!")
        peers.accept_exchange(people["partner"], exchange)
        meeting = peers.plan_meeting(participant, exchange, kind="online", starts_at=starts,
                                     ends_at=starts + timedelta(hours=1), timezone="Europe/Brussels",
                                     online_url="https://meet.example.org/peers")
        practice = peers.submit_report(participant, exchange, title="Lights", summary="We swapped notes.",
                                       results="Fewer kWh.", transferability="Anywhere.")

        # A municipality with the participant as accepted editor, an action and a report.
        town = Municipality(name="Matrixville", country="BE", population=50_000, baseline_year=2010,
                            baseline_emissions_t=100_000.0, reduction_target_percent=20.0, target_year=2020,
                            members=[MunicipalityMember(user=participant, role="editor", status="accepted"),
                                     MunicipalityMember(user=people["claimed"], role="follower", status="invited"),
                                     MunicipalityMember(user=people["invited"], role="editor", status="invited")])
        action = SeapAction(municipality=town, title="LED streets", sector="public-lighting",
                            area="efficient-lighting", instrument="energy-management", status="ongoing")
        report = MonitoringReport(municipality=town, submitted_on=date(2014, 3, 1), kind="action")
        inventory = Inventory(municipality=town, kind="baseline", year=2010, population=50_000, cells=[
            InventoryCell(sector="residential-buildings", carrier="natural-gas", mwh=1000.0)])
        db.session.add_all([town, action, report, inventory])

        # The participant's notification, API token and calendar feed.
        notification = notify(participant, "test", "Something happened", "/courses/my")
        token, _plain = create_api_token(participant, "theirs")
        rotate_feed(participant)
        round_ = peers.run_pairing_round(people["admin"])
        db.session.flush()
        ids = {"participant": participant.id, "other": people["other"].id, "partner": people["partner"].id,
               "claimed": people["claimed"].id, "coach": coach.id, "draft": draft.id, "module": module.id,
               "session": published_session.id, "second_session": second_session.id,
               "draft_session": draft_session.id, "enrolment": enrolment.id, "material": material.id,
               "certificate": certificate.id, "certificate_code": certificate.code, "appointment": appointment.id,
               "exchange": exchange.id, "meeting": meeting.id, "practice": practice.id, "town": town.id, "inventory": inventory.id,
               "action": action.id, "report": report.id, "notification": notification.id, "token": token.id,
               "round": round_.id, "feed": _feed_token(participant), "mail": db.session.scalar(db.select(OutboxMessage.id))}
        db.session.commit()
    return people, ids


def _fill(value, ids):
    """Put the world's ids in a path, or in a body's strings ("{other}" becomes that user's id)."""
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _form(data):
    """Form fields are text."""
    return None if data is None else {k: str(v) for k, v in data.items()}


def _check_row(seen: dict, expected: dict, method: str, path: str) -> None:
    """Every cell as expected, except the known BUGS (expected to fail: xfail, or fail when fixed)."""
    wrong = [f"{role}: {seen[role]} (expected {want})" for role, want in expected.items()
             if (method, path, role) not in BUGS and seen[role] != want]
    assert not wrong, f"{method} {path}: " + "; ".join(wrong)
    bugs = {role: seen[role] for role in expected if (method, path, role) in BUGS}
    fixed = [role for role in bugs if bugs[role] == expected[role]]
    assert not fixed, f"{method} {path}: fixed for {fixed}: remove them from BUGS"
    if bugs:
        pytest.xfail(f"{method} {path}: known bugs {bugs}")


def _row_id(row) -> str:
    body = f" {sorted(row[3])}" if isinstance(row[3], dict) and row[3] and "{" in str(row[3].values()) else ""
    return f"{row[0]} {row[1]}{body}"


@pytest.mark.parametrize("method,path,expected,data", PAGES, ids=[_row_id(r) for r in PAGES])
def test_page_permissions(app, world, login, make, db, method, path, expected, data):
    people, ids = world
    seen = {}
    changed = False
    for role in expected:
        if changed and (method, path) in FRESH:
            people, ids = fresh_world(app, make, db)
        client = app.test_client()
        if role != "anonymous":
            login(people[role], target=client)
        response = client.open(_fill(path, ids), method=method, data=_form(_fill(data, ids)))
        seen[role] = response.status_code
        changed = role != "anonymous" and response.status_code < 400
        # A 302 sends anonymous people to sign in, and signed-in people anywhere else.
        if response.status_code == 302 and ("/auth/login" in response.headers["Location"]) != (role == "anonymous"):
            seen[role] = f"302 to {response.headers['Location']}"
    _check_row(seen, expected, method, path)


@pytest.mark.parametrize("method,path,expected,body", API, ids=[_row_id(r) for r in API])
def test_api_permissions(app, world, make, db, method, path, expected, body):
    people, ids = world
    seen = {}
    changed = False
    for role in expected:
        if changed and (method, path) in FRESH:
            people, ids = fresh_world(app, make, db)
        headers = {} if role == "anonymous" else make.bearer(people[role])
        response = app.test_client().open(_fill(path, ids), method=method, headers=headers,
                                          json=_fill(body, ids) if body is not None else None)
        seen[role] = response.status_code
        changed = 200 <= response.status_code < 300
    _check_row(seen, expected, method, path)


# Routes with an argument that the table leaves out, and why.
NOT_IN_TABLE = {
    "static": "files", "bootstrap.static": "files",
    "auth.reset_password": "the reset token is the permission (tests/auth)",
    "results.chart": "public charts by name (tests/results)",
}


def test_every_route_with_an_argument_is_in_the_table(app):
    """A new object page or endpoint joins the matrix (or NOT_IN_TABLE, with the reason)."""
    import re

    adapter = app.url_map.bind("localhost")
    rows = {adapter.match(re.sub(r"\{[^}]+\}", "1", path), method=method)[0] + " " + method
            for method, path, *_ in PAGES + API}
    missing = [f"{method} {rule.rule}" for rule in app.url_map.iter_rules() if rule.arguments
               and rule.endpoint not in NOT_IN_TABLE for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
               if f"{rule.endpoint} {method}" not in rows]
    assert not missing, missing


def test_a_revoked_token_is_refused(app, world, db):
    """A bearer token stops working once revoked; a garbage token is a 401 too."""
    people, _ids = world
    from app.auth.services import create_api_token

    token, plain = create_api_token(people["participant"], "short-lived")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    client = app.test_client()
    assert client.get(f"{A}/me", headers=headers).status_code == 200
    token_id = token.id
    assert client.delete(f"{A}/auth/tokens/{token_id}", headers=headers).status_code == 204
    assert client.get(f"{A}/me", headers=headers).status_code == 401
    assert client.get(f"{A}/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_an_invitation_is_not_a_membership(app, world, login):
    """The invited editor may not edit until they accept; after accepting they may."""
    people, ids = world
    client = login(people["invited"], target=app.test_client())
    assert client.get(f"/municipalities/{ids['town']}/edit").status_code == 403
    assert client.post(f"/municipalities/{ids['town']}/invitation/accept").status_code == 302
    assert client.get(f"/municipalities/{ids['town']}/edit").status_code == 200
