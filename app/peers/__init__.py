"""Peer exchange across countries: profiles, suggestions, exchanges, pairing rounds, good practices."""
from flask import Blueprint

bp = Blueprint("peers", __name__, url_prefix="/peers")
# The public library of good practices has its own address: /good-practices/.
library_bp = Blueprint("good_practices", __name__, url_prefix="/good-practices")

from app.peers import views  # noqa: E402,F401


def init_app(app) -> None:
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
    register_feed_source(app, services.meetings_for)
    register_reminder_renderer(app, "peer_meeting", services.render_meeting_reminder)
    register_indicators(app, "peers", services.indicators)
    register_demo(app, "peers", load_peers)
    app.cli.add_command(peers_cli)

    from flask_babel import lazy_gettext as _l

    from app.core.mail import register_mail_kind

    register_mail_kind(app, "peer_exchange", _l("Peer exchange proposals and replies"))
    register_mail_kind(app, "peer_message", _l("New messages in my peer exchanges"))
    register_mail_kind(app, "peer_meeting", _l("Invitations to peer exchange meetings"))
