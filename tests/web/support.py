"""Web test helpers: accounts, signed-in clients (session + CSRF) and token clients."""
from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from services.common.db import Database
from services.web import accounts, tokens
from services.web.context import WebContext

PASSWORD = "correct horse battery staple"


def web_of(app: Flask) -> WebContext:
    return app.extensions["web"]


def make_user(app: Flask, email: str, role: str, password: str = PASSWORD) -> dict:
    with web_of(app).db.transaction() as session:
        return accounts.user_to_dict(accounts.create_user(session, email, None, role, password))


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


class Client:
    """JSON calls to /api/v1 as one principal; a session client sends its CSRF token."""

    def __init__(self, flask_client: FlaskClient, headers: dict | None = None):
        self.http = flask_client
        self.headers = headers or {}

    def call(self, method: str, path: str, json=None, **kwargs):  # noqa: ANN001, ANN201
        """`path` is under /api/v1 (e.g. "/incidents")."""
        return self.http.open(f"/api/v1{path}", method=method, json=json,
                              headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

    def get(self, path: str, **kwargs):  # noqa: ANN201
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json=None, **kwargs):  # noqa: ANN001, ANN201
        return self.call("POST", path, json, **kwargs)

    def patch(self, path: str, json=None, **kwargs):  # noqa: ANN001, ANN201
        return self.call("PATCH", path, json, **kwargs)

    def put(self, path: str, json=None, **kwargs):  # noqa: ANN001, ANN201
        return self.call("PUT", path, json, **kwargs)

    def delete(self, path: str, **kwargs):  # noqa: ANN201
        return self.call("DELETE", path, **kwargs)


def sign_in(app: Flask, email: str, password: str = PASSWORD) -> Client:
    http = app.test_client()
    page = http.get("/login")
    response = http.post("/login", data={"email": email, "password": password,
                                         "csrf_token": csrf_from(page.text)})
    assert response.status_code == 302, response.text
    with http.session_transaction() as session:
        token = session["csrf"]
    return Client(http, {"X-CSRF-Token": token})


def with_token(app: Flask, secret: str) -> Client:
    return Client(app.test_client(), {"Authorization": f"Bearer {secret}"})


def api_token(database_url: str, name: str = "tests") -> str:
    """A read-write API token's secret, written straight into the web's tables (for
    stacks of processes, where there is no app object to sign in to)."""
    db = Database(database_url)
    try:
        with db.transaction() as session:
            return tokens.create_token(session, name, "read-write", None)[1]
    finally:
        db.dispose()
