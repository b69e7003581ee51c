"""On-call, settings (users, API tokens, auto-page teams, audit) and one's own account."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request
from flask import session as cookie_session
from flask import url_for

from services.web import accounts, actions, audit, oncall, tokens
from services.web.errors import Conflict, InvalidRequest, NotFound, Unavailable, WebError
from services.web.security import principal, requires
from services.web.ui import ui


def _web():  # noqa: ANN202
    return current_app.extensions["web"]


def _pagerduty(method: str):  # noqa: ANN202
    """(result, None), or (None, message) when PagerDuty is off or absent."""
    try:
        return _web().backend.pagerduty(method), None
    except Unavailable as exc:
        return None, exc.message
    except WebError as exc:
        return None, exc.message


@ui.get("/oncall")
@requires("viewer")
def oncall_page():  # noqa: ANN201
    result, problem = _pagerduty("list_oncalls")
    return render_template("oncall.html", groups=oncall.oncall_groups(result) if result else [],
                           problem=problem)


@ui.get("/settings")
@requires("admin", people_only=True)
def settings():  # noqa: ANN201
    return redirect(url_for("ui.settings_users"))


@ui.get("/settings/users")
@requires("admin", people_only=True)
def settings_users():  # noqa: ANN201
    with _web().db.transaction() as session:
        users = [accounts.user_to_dict(u) for u in accounts.list_users(session)]
    return render_template("settings_users.html", users=users, roles=accounts.ROLES)


@ui.post("/settings/users")
@requires("admin", people_only=True)
def settings_create_user():  # noqa: ANN201
    form = request.form
    try:
        with _web().db.transaction() as session:
            user = accounts.create_user(session, form.get("email"), form.get("name") or None,
                                        form.get("role"), form.get("password"))
            audit.record(session, principal().actor_id, "user.created", f"web:{user.id}",
                         request.remote_addr, role=user.role)
        flash(f"Account created for {user.email}.")
    except (InvalidRequest, Conflict) as exc:
        flash(exc.message, "error")
    return redirect(url_for("ui.settings_users"))


@ui.post("/settings/users/<id:user_id>")
@requires("admin", people_only=True)
def settings_change_user(user_id: int):  # noqa: ANN201
    form = request.form
    changes = {"role": form.get("role"), "active": form.get("active") == "on"}
    if form.get("password"):
        changes["password"] = form["password"]
    try:
        with _web().db.transaction() as session:
            user = accounts.update_user(session, user_id, changes)
            audit.record(session, principal().actor_id, "user.changed", f"web:{user.id}",
                         request.remote_addr, fields=sorted(changes))
        flash(f"Saved {user.email}.")
    except (InvalidRequest, Conflict, NotFound) as exc:
        flash(exc.message, "error")
    return redirect(url_for("ui.settings_users"))


def _tokens_page(new_secret: str | None = None) -> str:
    with _web().db.transaction() as session:
        listed = [tokens.token_to_dict(t) for t in tokens.list_tokens(session)]
    return render_template("settings_tokens.html", tokens=listed, new_secret=new_secret)


@ui.get("/settings/tokens")
@requires("admin", people_only=True)
def settings_tokens():  # noqa: ANN201
    return _tokens_page()


@ui.post("/settings/tokens")
@requires("admin", people_only=True)
def settings_create_token():  # noqa: ANN201
    try:
        with _web().db.transaction() as session:
            token, secret = tokens.create_token(session, request.form.get("name"),
                                                request.form.get("scope"), principal().id)
            audit.record(session, principal().actor_id, "token.created",
                         f"web:token-{token.id}", request.remote_addr, scope=token.scope)
    except InvalidRequest as exc:
        flash(exc.message, "error")
        return redirect(url_for("ui.settings_tokens"))
    # Rendered, not redirected: the secret must not travel through a session or a URL.
    return _tokens_page(new_secret=secret)


@ui.post("/settings/tokens/<id:token_id>/revoke")
@requires("admin", people_only=True)
def settings_revoke_token(token_id: int):  # noqa: ANN201
    try:
        with _web().db.transaction() as session:
            token = tokens.revoke_token(session, token_id)
            audit.record(session, principal().actor_id, "token.revoked",
                         f"web:token-{token_id}", request.remote_addr)
        flash(f"Token “{token.name}” revoked.")
    except NotFound as exc:
        flash(exc.message, "error")
    return redirect(url_for("ui.settings_tokens"))


@ui.get("/settings/pagerduty")
@requires("admin", people_only=True)
def settings_pagerduty():  # noqa: ANN201
    listed, problem = _pagerduty("list_services")
    chosen, problem_ids = (None, None) if problem else _pagerduty("get_auto_page_services")
    return render_template("settings_pagerduty.html", services=oncall.services(listed or []),
                           chosen=set(oncall.service_ids(chosen or [])),
                           problem=problem or problem_ids)


@ui.post("/settings/pagerduty")
@requires("admin", people_only=True)
def settings_save_pagerduty():  # noqa: ANN201
    try:
        actions.set_auto_page_services(principal(), request.form.getlist("service_ids"))
        flash("Auto-page teams saved.")
    except WebError as exc:
        flash(exc.message, "error")
    return redirect(url_for("ui.settings_pagerduty"))


@ui.get("/settings/audit")
@requires("admin", people_only=True)
def settings_audit():  # noqa: ANN201
    with _web().db.transaction() as session:
        entries = audit.recent(session, 200)
    return render_template("settings_audit.html", entries=entries)


@ui.get("/account")
@requires("viewer", people_only=True)
def account():  # noqa: ANN201
    return render_template("account.html")


@ui.post("/account/password")
@requires("viewer", people_only=True)
def change_own_password():  # noqa: ANN201
    form = request.form
    with _web().db.transaction() as session:
        user = accounts.get_user(session, principal().id)
        if accounts.authenticate(session, user.email, form.get("current", "")) is None:
            flash("The current password is not right.", "error")
            return redirect(url_for("ui.account"))
    try:
        with _web().db.transaction() as session:
            user = accounts.update_user(session, principal().id, {"password": form.get("new")})
            audit.record(session, principal().actor_id, "user.password_changed",
                         f"web:{user.id}", request.remote_addr)
            version = user.session_version
    except InvalidRequest as exc:
        flash(exc.message, "error")
        return redirect(url_for("ui.account"))
    cookie_session["ver"] = version  # this session stays signed in; the others end
    flash("Password changed.")
    return redirect(url_for("ui.account"))
