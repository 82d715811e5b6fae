"""The real app plus the test-only reminder kind, for `flask --app tests.notifications.tickapp scheduler tick`.

Features register their reminder renderers in init_app; this factory does the same for "testevent",
so subprocess tests exercise the real scheduler, reminders and delivery with a renderer of their own.
"""
from app import create_app as _create_app


def create_app():
    from tests.notifications.conftest import install_test_reminders

    app = _create_app()
    install_test_reminders(app)
    return app
