"""Mayors in Action platform: the application factory is the only place that wires things."""
from __future__ import annotations

import importlib
import logging
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

from app.config import FEATURES, Defaults
from app.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


class MiaFlask(Flask):
    """Flask that builds absolute links outside requests (scheduler, command line) from PUBLIC_URL."""

    def create_url_adapter(self, request):
        adapter = super().create_url_adapter(request)
        if adapter is None and request is None:
            public = urlsplit(self.config["PUBLIC_URL"])
            adapter = self.url_map.bind(public.netloc, script_name=public.path or "/",
                                        url_scheme=public.scheme or "https")
        return adapter


def create_app(config: dict | None = None) -> Flask:
    from app.core.routing import register_converters

    app = MiaFlask(__name__, instance_path=str(ROOT / "instance"), instance_relative_config=True)
    register_converters(app)
    _configure(app, config)
    _init_extensions(app)
    _register_features(app)
    if app.config["SCHEDULER_IN_PROCESS"] and os.environ.get("MIA_NO_SCHEDULER") != "1":
        from app.core.scheduler import start_in_process

        app.extensions["scheduler"] = start_in_process(app)
    return app


def _configure(app: Flask, config: dict | None) -> None:
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if config:
        app.config.update(config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'mayors.sqlite'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(
        ["translations"] + [f"{name}/translations" for name in FEATURES])
    logging.basicConfig(level=app.config.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _instance_secret(path: Path) -> str:
    """Generated once per installation and kept in instance/, never a constant in code."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_hex(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker wrote it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


def _init_extensions(app: Flask) -> None:
    from app.core.db import configure_engine
    from app.core.errors import register_error_handlers
    from app.core.i18n import register_template_helpers, select_locale, select_timezone
    from app.core.security import register_security_headers

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    bootstrap.init_app(app)
    limiter.init_app(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_template_helpers(app)


def _register_features(app: Flask) -> None:
    from app.api import make_api, register_api
    from app.core import bp as core_bp
    from app.core import cli as core_cli
    from app.core.api import blp as reference_api

    make_api(app)
    app.register_blueprint(core_bp)
    register_api(app, reference_api)
    core_cli.register(app)
    from app.core.delivery import deliver_outbox
    from app.core.reminders import send_due_reminders
    from app.core.scheduler import register_job

    register_job(app, "send_due_reminders", send_due_reminders, minutes=1, order=10)
    register_job(app, "deliver_outbox", deliver_outbox, minutes=1, order=100)  # last: sends what others queued
    for name in FEATURES:
        module = importlib.import_module(f"app.{name}")
        app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)
        try:
            api_module = importlib.import_module(f"app.{name}.api")
        except ModuleNotFoundError as error:
            if error.name != f"app.{name}.api":
                raise
        else:
            register_api(app, api_module.blp)
    _import_models()


def _import_models() -> None:
    """Every model module, so metadata (migrations, create_all) sees every table."""
    importlib.import_module("app.core.models")
    importlib.import_module("app.core.reminders")
    for name in FEATURES:
        try:
            importlib.import_module(f"app.{name}.models")
        except ModuleNotFoundError as error:
            if error.name != f"app.{name}.models":
                raise
