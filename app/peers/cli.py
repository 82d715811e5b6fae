"""`flask --app app peers pair`: run a pairing round and print its pairs and total score."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.core.cli import UsageError

peers_cli = AppGroup("peers", help="Peer exchange.")


@peers_cli.command("pair")
@click.option("--topic", default=None, help="Only people offering or needing this topic (a topic code).")
@click.option("--user", "user_ids", multiple=True, type=int, help="Only these people (repeat the option).")
@click.option("--admin", "admin_email", default=None, help="The administrator running it (default: the first).")
@click.option("--confirm", is_flag=True, help="Send each pair a proposal (otherwise a preview is stored).")
def pair(topic, user_ids, admin_email, confirm):
    """Run a pairing round: pairs with their scores, the total, who stays unmatched and why."""
    from flask import current_app

    from app.auth.models import User
    from app.core.errors import DomainError
    from app.extensions import db
    from app.peers import services

    query = select(User).where(User.role == "admin", User.is_active_account.is_(True)).order_by(User.id)
    if admin_email:
        query = query.where(User.email == admin_email.strip().lower())
    admin = db.session.scalar(query.limit(1))
    if admin is None:
        raise UsageError("No administrator account found (create one with `users create … --role admin`).")
    selection = "list" if user_ids else ("topic" if topic else "all")
    try:
        round_ = services.run_pairing_round(admin, selection, topic=topic, user_ids=user_ids)
        made = None
        if confirm:
            with current_app.test_request_context():
                made = services.confirm_round(admin, round_)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise UsageError(f"{error.message} {error.fields or ''}".strip()) from error
    names = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(
        [int(i) for i in round_.participant_ids] + list(round_.unmatched_reasons))))}
    click.echo(f"Pairing round {round_.id}: {len(round_.participant_ids)} people, method {round_.method}, "
               f"{round_.seconds} s")
    for p in round_.pairs:
        click.echo(f"  {p.score:>3}  {names[p.a_id].name} ({names[p.a_id].country}) + "
                   f"{names[p.b_id].name} ({names[p.b_id].country})  [{p.topic}]")
    for user_id, reason in round_.unmatched_reasons.items():
        who = names.get(user_id)
        click.echo(f"  unmatched: {who.name if who else user_id}: {reason}")
    click.echo(f"Total score: {round_.total_score} (upper bound {round_.bound}, greedy {round_.greedy_total})")
    if made is not None:
        click.echo(f"Proposals sent: {made}")
    else:
        click.echo("Preview only: run again with --confirm to send the proposals.")
