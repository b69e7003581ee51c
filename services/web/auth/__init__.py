"""Signing in and out. One generic error whatever was wrong; attempts are rate-limited
per account and per client address (429 with Retry-After)."""
from __future__ import annotations

import secrets
from urllib.parse import urlparse

from flask import (Blueprint, current_app, flash, redirect, render_template, request, session,
                   url_for)

from services.web import accounts, audit, throttle
from services.web.errors import TooManyRequests
from services.web.security import principal

auth = Blueprint("auth", __name__)
GENERIC_ERROR = "That email and password do not match an active account."


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host after signing in."""
    if not target or not target.startswith("/") or target.startswith("//") \
            or urlparse(target).netloc or "\\" in target:
        return url_for("ui.dashboard")
    return target


@auth.get("/login")
def login():  # noqa: ANN201
    if principal() is not None:
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", next=request.args.get("next", ""))


@auth.post("/login")
def login_submit():  # noqa: ANN201
    email = request.form.get("email", "").strip().lower()[:254]
    password = request.form.get("password", "")
    ip = request.remote_addr or "unknown"
    next_url = request.form.get("next", "")
    db = current_app.extensions["web"].db
    try:
        with db.transaction() as db_session:
            throttle.check_allowed(db_session, email, ip)
    except TooManyRequests as exc:
        response = current_app.make_response((render_template(
            "login.html", error=exc.message, email=email, next=next_url), 429))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    with db.transaction() as db_session:
        user = accounts.authenticate(db_session, email, password) if password else None
        throttle.record(db_session, email, ip, user is not None)
        if user is not None:
            audit.record(db_session, f"web:{user.id}", "user.signed_in", None, ip)
            uid, version = user.id, user.session_version
    if user is None:
        return render_template("login.html", error=GENERIC_ERROR, email=email,
                               next=next_url), 401
    session.clear()  # a fresh session: no fixation
    session.permanent = True
    session.update(uid=uid, ver=version, csrf=secrets.token_urlsafe(32))
    return redirect(_safe_next(next_url))


@auth.post("/logout")
def logout():  # noqa: ANN201
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("auth.login"))
