"""Peer exchange across countries: profiles, suggestions, exchanges, pairing rounds, good practices."""
from flask import Blueprint

bp = Blueprint("peers", __name__, url_prefix="/peers")
# The public library of good practices has its own address: /good-practices/.
library_bp = Blueprint("good_practices", __name__, url_prefix="/good-practices")

from app.peers import views  # noqa: E402,F401


def init_app(app) -> None:
    from app.core.archive import register_archive_table

    register_archive_table(app, "peer_profiles", ("user_id", "offers", "needs", "languages", "bio", "places",
                           "formats", "is_available", "is_public", "updated_at"))
    register_archive_table(app, "peer_rounds", ("id", "created_by_id", "created_at", "selection", "participant_ids",
                           "unmatched", "total_score", "bound", "greedy_total", "method", "seconds", "status",
                           "confirmed_at"))
    register_archive_table(app, "peer_round_pairs", ("id", "round_id", "a_id", "b_id", "score", "topic",
                           "exchange_id"))
    register_archive_table(app, "peer_exchanges", ("id", "proposer_id", "partner_id", "low_id", "high_id",
                           "round_id", "topic", "message", "status", "created_at", "responded_at",
                           "proposer_confirmed_at", "partner_confirmed_at", "completed_at", "cancelled_by_id"))
    register_archive_table(app, "peer_messages", ("id", "exchange_id", "author_id", "body", "created_at"))
    register_archive_table(app, "peer_meetings", ("id", "exchange_id", "kind", "starts_at", "ends_at", "timezone",
                           "place", "notes", "status", "sequence", "created_by_id", "created_at"))
    register_archive_table(app, "good_practices", ("id", "exchange_id", "title", "summary", "summary_en", "activities", "results",
                           "transferability", "topic", "countries", "language", "status", "review_note",
                           "submitted_by_id", "reviewed_by_id", "submitted_at", "published_at", "former_credits"),
                           fts=("title", "summary", "results", "transferability", "body"))

    from app.core.privacy import register_personal_data
    from app.peers import privacy as _privacy

    register_personal_data(app, "peers", _privacy.export_peers, _privacy.erase_peers, order=30)
    from app.core.calendar import register_feed_source
    from app.core.demo import register_demo
    from app.core.indicators import register_indicators
    from app.core.reminders import register_reminder_renderer
    from app.peers import services
    from app.peers.cli import peers_cli
    from app.peers.demo import load_peers

    app.register_blueprint(library_bp)
    register_feed_source(app, services.meetings_for, reads=("peers", "people"))
    register_reminder_renderer(app, "peer_meeting", services.render_meeting_reminder)
    register_indicators(app, "peers", services.indicators)
    register_demo(app, "peers", load_peers)
    app.cli.add_command(peers_cli)

    from flask_babel import lazy_gettext as _l

    from app.core.mail import register_mail_kind

    register_mail_kind(app, "peer_exchange", _l("Peer exchange proposals and replies"))
    register_mail_kind(app, "peer_message", _l("New messages in my peer exchanges"))
    register_mail_kind(app, "peer_meeting", _l("Invitations to peer exchange meetings"))
    from app.core.cache import watch_models
    from app.core.home import register_home_section
    from app.peers import models

    watch_models("peers", models)
    register_home_section(app, "peers", services.home_section, reads=("peers", "people"))
    register_home_section(app, "peers_review", services.review_home_section, reads=("peers", "people"))
