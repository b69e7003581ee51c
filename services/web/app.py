"""The Flask application: `create_app(config, rpc, settings)` builds it with its
blueprints (auth/, api/ under /api/v1, ui/ for pages). No import-time configuration."""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time

from flask import Flask, current_app, g, jsonify, redirect, render_template, request, url_for
from prometheus_client import Histogram
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from services.common.bus import RpcPool
from services.common.config import Config
from services.common.db import Database
from services.web import bootstrap, security
from services.web.backend import Backend
from services.web.context import WebContext
from services.web.errors import Unauthorized, Unavailable, WebError
from services.web.live import LiveHub
from services.web.settings import WebSettings

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024
REQUEST_SECONDS = Histogram("incidentbot_web_request_seconds", "Web requests by route",
                            ["endpoint", "method", "status"],
                            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10))


class IdConverter(IntegerConverter):
    """Positive ids that fit the database's integer (others are simply not found)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002, ANN001, ANN002, ANN003
        super().__init__(map, min=1, max=2**31 - 1)


def create_app(config: Config, rpc: RpcPool, settings: WebSettings, db: Database | None = None,
               hub: LiveHub | None = None, pagerduty_rpc: RpcPool | None = None) -> Flask:
    db = db or Database(settings.database_url)
    if not settings.secret_key:
        settings = dataclasses.replace(settings, secret_key=bootstrap.session_key(db, None))
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key, SESSION_COOKIE_NAME="incidentbot_session",
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.behind_tls, MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.session_hours))
    if settings.behind_tls:
        # Behind a TLS-terminating proxy: trust its one hop for the client address and scheme.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    app.url_map.converters["id"] = IdConverter
    app.extensions["web"] = WebContext(config, Backend(rpc, pagerduty_rpc), db, settings,
                                       hub or LiveHub())
    _register_hooks(app)
    _register_errors(app)
    from services.web.api import api
    from services.web.auth import auth
    from services.web.ui import ui

    app.register_blueprint(auth)
    app.register_blueprint(api, url_prefix="/api/v1")
    app.register_blueprint(ui)
    _register_health(app)
    return app


def is_api() -> bool:
    return request.path.startswith("/api/")


def _register_hooks(app: Flask) -> None:
    @app.before_request
    def authenticate() -> None:
        g.started = time.perf_counter()
        if request.endpoint in ("static", "healthz", "readyz"):
            return
        g.principal = security.load_principal()
        security.check_csrf()

    @app.after_request
    def finish(response):  # noqa: ANN001, ANN202
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        REQUEST_SECONDS.labels(request.endpoint or "none", request.method,
                               str(response.status_code)).observe(
            time.perf_counter() - g.get("started", time.perf_counter()))
        return security.security_headers(response, current_app.extensions["web"]
                                         .settings.behind_tls)

    @app.context_processor
    def template_globals() -> dict:
        web = current_app.extensions["web"]
        return {"csrf_token": security.csrf_token, "me": security.principal(),
                "app_config": web.config}

    from services.web.ui.present import register_filters

    register_filters(app)


def _error_response(error: WebError):  # noqa: ANN202
    if is_api():
        response = jsonify(error.to_dict())
        response.status_code = error.status
    elif isinstance(error, Unauthorized) and request.method in ("GET", "HEAD"):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    elif isinstance(error, Unauthorized):
        return redirect(url_for("auth.login"))
    else:
        response = current_app.make_response(
            (render_template("error.html", error=error), error.status))
    if getattr(error, "retry_after", None):
        response.headers["Retry-After"] = str(error.retry_after)
    if error.status == 401 and is_api():
        response.headers["WWW-Authenticate"] = 'Bearer realm="incident-bot"'
    return response


def _register_errors(app: Flask) -> None:
    @app.errorhandler(WebError)
    def web_error(error: WebError):  # noqa: ANN202
        return _error_response(error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # noqa: ANN202
        wrapped = WebError(error.description or error.name)
        wrapped.status = error.code or 500
        response = _error_response(wrapped)
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(OperationalError)
    def database_away(error: OperationalError):  # noqa: ANN202
        # PostgreSQL restarting or unreachable: sign-in, sessions and tokens live there.
        log.warning("database unavailable on %s %s: %s", request.method, request.path,
                    type(error.orig).__name__ if error.orig is not None else error)
        return _error_response(Unavailable(
            "The database is not answering; nothing was changed. Please try again shortly."))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # noqa: ANN202
        log.exception("unexpected error on %s %s", request.method, request.path)
        wrapped = WebError("Something went wrong on our side; it has been logged.")
        wrapped.status = 500
        return _error_response(wrapped)


def _register_health(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():  # noqa: ANN202
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():  # noqa: ANN202
        """Ready when `incidents` answers RPC: pages can be served."""
        try:
            current_app.extensions["web"].backend.incidents("get_setting", "web.ready")
        except WebError as exc:
            return jsonify(status="not ready", reason=exc.message), 503
        return jsonify(status="ready")
