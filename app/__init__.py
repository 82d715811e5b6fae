"""Mayors in Action platform: the application factory is the only place that wires things."""
from __future__ import annotations

import importlib
import logging
import os
import secrets
from pathlib import Path
from urllib.parse import quote, urlsplit

from flask import Flask
from flask.globals import _cv_request
from werkzeug.exceptions import SecurityError
from werkzeug.routing import BuildError
from werkzeug.wsgi import get_host

from app.config import FEATURES, Defaults
from app.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"  # as Flask quotes anchors


class MiaFlask(Flask):
    """Flask whose absolute links always use PUBLIC_URL, and which refuses untrusted Host headers.

    Links that leave the page (mail, calendar feeds, certificates) are built from PUBLIC_URL inside
    requests too: a forged `Host` header must never end up in a password-reset mail.
    """

    def create_url_adapter(self, request):
        if request is None:
            adapter = super().create_url_adapter(None)
            if adapter is None:
                public = urlsplit(self.config["PUBLIC_URL"])
                adapter = self.url_map.bind(public.netloc, script_name=public.path or "/",
                                            url_scheme=public.scheme or "https")
            return adapter
        # Flask's own TRUSTED_HOSTS check cannot match IPv6 literals ([::1]); this one can.
        host = get_host(request.environ)
        trusted = self.config.get("TRUSTED_HOSTS")
        if trusted and not is_trusted_host(host, trusted):
            raise SecurityError()
        request.host = host
        return self.url_map.bind_to_environ(request.environ, server_name=self.config["SERVER_NAME"],
                                            subdomain=self.url_map.default_subdomain or "")

    def url_for(self, endpoint: str, *, _anchor: str | None = None, _method: str | None = None,
                _scheme: str | None = None, _external: bool | None = None, **values) -> str:
        ctx = _cv_request.get(None)
        if ctx is None or (not _external and _scheme is None and ctx.url_adapter is not None):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                   _external=_external, **values)
        # An absolute link inside a request (or a page answering a refused Host): from PUBLIC_URL.
        if endpoint[:1] == ".":
            blueprint = ctx.request.blueprint
            endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
        external = bool(_external) or _scheme is not None
        self.inject_url_defaults(endpoint, values)
        try:
            url = self.create_url_adapter(None).build(endpoint, values, method=_method, url_scheme=_scheme,
                                                      force_external=external)
        except BuildError as error:
            values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external)
            return self.handle_url_build_error(error, endpoint, values)
        if _anchor is not None:
            url = f"{url}#{quote(_anchor, safe=_ANCHOR_SAFE)}"
        return url


def is_trusted_host(host: str, trusted) -> bool:
    """`host[:port]` matches a trusted name (any port); a leading dot also accepts subdomains."""
    if not host:
        return False
    name = host[1:host.find("]")] if host.startswith("[") else host.partition(":")[0]
    name = name.lower()
    for ref in [trusted] if isinstance(trusted, str) else trusted:
        ref = ref.strip().lower()
        suffix = ref.startswith(".")
        ref = ref.lstrip(".")
        if ref.startswith("["):
            ref = ref[1:ref.find("]")]
        elif ref.count(":") == 1:  # "example.org:8443": the port does not matter
            ref = ref.partition(":")[0]
        if name == ref or (suffix and name.endswith("." + ref)):
            return True
    return False


def create_app(config: dict | None = None) -> Flask:
    from app.core.routing import register_converters

    app = MiaFlask(__name__, instance_path=instance_path(), instance_relative_config=True)
    register_converters(app)
    _configure(app, config)
    _init_extensions(app)
    _register_features(app)
    if int(app.config.get("PROXY_FIX_X_FOR") or 0) > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind N proxies, the client address (rate limits, audit log) is the one they forward.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]), x_proto=0, x_host=0,
                                x_port=0, x_prefix=0)
    if app.config["SCHEDULER_IN_PROCESS"] and os.environ.get("MIA_NO_SCHEDULER") != "1":
        from app.core.scheduler import start_in_process

        app.extensions["scheduler"] = start_in_process(app)
    return app


def instance_path() -> str | None:
    """MIA_INSTANCE_PATH, else Flask's own choice: `instance/` beside a source checkout's package,
    `<prefix>/var/app-instance` for an installed one. Never inside site-packages."""
    path = os.environ.get("MIA_INSTANCE_PATH")
    return os.path.abspath(os.path.expanduser(path)) if path else None


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
    if app.config.get("TRUSTED_HOSTS") is None:
        # The host of PUBLIC_URL and loopback (any port); every other Host header gets 400.
        public_host = urlsplit(app.config["PUBLIC_URL"]).hostname
        app.config["TRUSTED_HOSTS"] = [h for h in (public_host, "127.0.0.1", "localhost", "::1") if h]
    elif isinstance(app.config["TRUSTED_HOSTS"], str):  # FLASK_TRUSTED_HOSTS=a.example,b.example
        app.config["TRUSTED_HOSTS"] = [h.strip() for h in app.config["TRUSTED_HOSTS"].split(",") if h.strip()]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(
        ["translations"] + [f"{name}/translations" for name in FEATURES])
    logging.basicConfig(level=app.config.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from app.core.text import install_log_escaping

    install_log_escaping()  # what people typed cannot start a log line of its own


def _secret_key(app: Flask) -> str:
    """SECRET_KEY_FILE names a file holding the key (shared by every server); else one per instance."""
    if app.config.get("SECRET_KEY_FILE"):
        path = Path(app.config["SECRET_KEY_FILE"])
        try:
            key = path.read_text().strip()
        except OSError as error:
            raise RuntimeError(f"SECRET_KEY_FILE {path}: {error.strerror or error}") from error
        if not key:
            raise RuntimeError(f"SECRET_KEY_FILE {path} is empty")
        return key
    return _instance_secret(Path(app.instance_path) / "secret_key")


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
    # Migrations are package data (app/migrations), so an installed wheel can `flask db upgrade`.
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent / "migrations"), render_as_batch=True,
                     compare_type=True)
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
    from app.core.archive import register_archive_table
    from app.core.audit import archive_row

    register_archive_table(app, "audit_events", ("id", "at", "actor_id", "action", "target"), clean=archive_row)
    register_archive_table(app, "reminders", ("id", "kind", "object_id", "user_id", "lead_minutes", "starts_at",
                                              "due_at", "sent_at"))
    from app.core.privacy import prune_outbox, prune_personal_data, register_retention

    register_job(app, "prune_personal_data", prune_personal_data, minutes=24 * 60, order=90)
    from app.core.cache import forget_versions, prune_changes

    app.before_request(forget_versions)  # each request reads the data versions afresh
    register_job(app, "prune_data_changes", prune_changes, minutes=24 * 60, order=90)
    register_archive_table(app, "data_changes", ("id", "kind", "token", "created_at"))
    register_retention(app, "outbox", prune_outbox)
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
