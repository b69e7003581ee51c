"""Signing in: hashed passwords, generic errors, rate limits, cookies, CSRF, sessions, the
first admin, and no secrets in logs."""
import logging

import pytest
from sqlalchemy import select

from services.common.config import Config
from services.web import bootstrap
from services.web.app import create_app
from services.web.models import User
from services.web.settings import WebSettings
from tests.web.conftest import SECRET
from tests.web.support import PASSWORD, csrf_from, make_user, sign_in, web_of

pytestmark = pytest.mark.service


def attempt(app, email, password, address="10.0.0.1", client=None):
    client = client or app.test_client()
    page = client.get("/login", environ_base={"REMOTE_ADDR": address})
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_from(page.text)},
                       environ_base={"REMOTE_ADDR": address})


def test_passwords_are_stored_as_scrypt_hashes(app):
    make_user(app, "hashed@example.com", "viewer")
    with web_of(app).db.transaction() as session:
        stored = session.scalar(select(User.password_hash).where(User.email ==
                                                                 "hashed@example.com"))
    assert stored.startswith("scrypt:") and PASSWORD not in stored


def test_wrong_password_and_unknown_account_get_the_same_answer(app):
    make_user(app, "known@example.com", "viewer")
    wrong = attempt(app, "known@example.com", "not the password", "10.0.0.2")
    unknown = attempt(app, "nobody@example.com", "not the password", "10.0.0.2")
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match an active account" in wrong.text
    assert wrong.text.replace("known@example.com", "X") == unknown.text.replace(
        "nobody@example.com", "X").replace(csrf_from(unknown.text), csrf_from(wrong.text))


def test_failed_sign_ins_are_limited_per_account(app):
    make_user(app, "target@example.com", "viewer")
    for n in range(5):
        assert attempt(app, "target@example.com", "guess", f"10.1.0.{n}").status_code == 401
    blocked = attempt(app, "target@example.com", PASSWORD, "10.1.0.99")
    assert blocked.status_code == 429 and "Too many failed sign-in attempts" in blocked.text
    assert 0 < int(blocked.headers["Retry-After"]) <= 900
    assert attempt(app, "known-elsewhere@example.com", "x", "10.1.0.99").status_code == 401


def test_failed_sign_ins_are_limited_per_address(app):
    make_user(app, "victim@example.com", "viewer")
    for n in range(20):
        attempt(app, f"spray{n}@example.com", "guess", "10.2.0.1")
    assert attempt(app, "victim@example.com", PASSWORD, "10.2.0.1").status_code == 429
    assert attempt(app, "victim@example.com", PASSWORD, "10.2.0.2").status_code == 302


def test_session_cookie_flags(app, backend_config, web_db_url):
    make_user(app, "cookies@example.com", "viewer")
    cookie = attempt(app, "cookies@example.com", PASSWORD, "10.3.0.1").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    from services.common.bus import RpcPool

    pool = RpcPool(backend_config)
    tls = create_app(Config.default(), pool, WebSettings(database_url=web_db_url,
                                                         secret_key=SECRET, behind_tls=True))
    secure = attempt(tls, "cookies@example.com", PASSWORD, "10.3.0.2")
    assert "Secure" in secure.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in secure.headers
    pool.close()


def test_forms_and_cookie_api_calls_need_the_csrf_token(app, responder):
    forged = responder.http.post("/api/v1/incidents", json={"description": "forged"})
    assert forged.status_code == 403 and "reload the page" in forged.json["error"]
    form = responder.http.post("/incidents", data={"description": "forged"})
    assert form.status_code == 403
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": "a@example.com", "password": "x"}
                      ).status_code == 403


def test_password_change_ends_other_sessions(app):
    make_user(app, "rotate@example.com", "viewer")
    first, second = sign_in(app, "rotate@example.com"), sign_in(app, "rotate@example.com")
    page = first.http.get("/account")
    changed = first.http.post("/account/password", data={
        "current": PASSWORD, "new": "a brand new password", "csrf_token": csrf_from(page.text)})
    assert changed.status_code == 302
    assert first.get("/me").status_code == 200
    assert second.get("/me").status_code == 401
    assert sign_in(app, "rotate@example.com", "a brand new password").get("/me").json["email"] \
        == "rotate@example.com"


def test_logout_and_safe_redirects(app):
    make_user(app, "leaving@example.com", "viewer")
    client = app.test_client()
    page = client.get("/login?next=//evil.example.com/")
    response = client.post("/login", data={"email": "leaving@example.com", "password": PASSWORD,
                                           "next": "//evil.example.com/",
                                           "csrf_token": csrf_from(page.text)})
    assert response.headers["Location"] == "/"
    home = client.get("/")
    out = client.post("/logout", data={"csrf_token": csrf_from(home.text)})
    assert out.status_code == 302 and client.get("/").status_code == 302


def test_first_admin_from_the_environment_once(app, caplog):
    db = web_of(app).db
    with db.transaction() as session:
        had_admin = session.scalar(select(User.id).where(User.role == "admin").limit(1))
    caplog.set_level(logging.INFO)
    bootstrap.first_admin(db, "boss@example.com", "the first admin password")
    with db.transaction() as session:
        boss = session.scalar(select(User).where(User.email == "boss@example.com"))
    assert (boss is None) == (had_admin is not None)  # only when there was no admin
    assert "the first admin password" not in caplog.text
    bootstrap.first_admin(db, "boss2@example.com", None)
    assert "set both WEB_ADMIN_EMAIL and WEB_ADMIN_PASSWORD" in caplog.text


def test_first_admin_on_an_empty_database(tmp_path, caplog):
    from services.common.db import Database
    from services.incidents.migrate import upgrade
    from services.web.migrate import upgrade as upgrade_web

    url = f"sqlite:///{tmp_path}/web.db"
    upgrade(url)
    upgrade_web(url)
    db = Database(url)
    caplog.set_level(logging.INFO)
    bootstrap.first_admin(db, "Boss@Example.com", "the first admin password")
    bootstrap.first_admin(db, "other@example.com", "another admin password")
    with db.transaction() as session:
        admins = session.scalars(select(User.email).where(User.role == "admin")).all()
    assert admins == ["boss@example.com"]
    key = bootstrap.session_key(db, None)
    assert len(key) >= 48 and bootstrap.session_key(db, None) == key  # shared by replicas
    assert "WEB_SECRET_KEY is not set" in caplog.text and key not in caplog.text
    assert "the first admin password" not in caplog.text
    db.dispose()


def test_no_secrets_in_logs_when_signing_in(app, caplog):
    make_user(app, "quiet@example.com", "viewer")
    caplog.set_level(logging.DEBUG)
    attempt(app, "quiet@example.com", PASSWORD, "10.4.0.1")
    attempt(app, "quiet@example.com", "wrong but secret words", "10.4.0.1")
    assert PASSWORD not in caplog.text and "wrong but secret words" not in caplog.text
    assert SECRET not in caplog.text
    assert SECRET not in repr(web_of(app).settings)
