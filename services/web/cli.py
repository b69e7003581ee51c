"""`incident-bot create-admin`: the first (or another) admin account, with no default
password: it is typed twice, or read from standard input (for scripts)."""
from __future__ import annotations

import getpass
import os
import sys

from services.common.db import Database
from services.web.bootstrap import create_admin as create_admin_account
from services.web.errors import WebError


def create_admin(email: str, name: str | None, password_stdin: bool) -> int:
    """Into DATABASE_URL, or the all-in-one default (`scripts/run`) when it is not set."""
    from services.runner import EMBEDDED_DATABASE_URL
    from services.web.migrate import upgrade

    url = os.environ.get("DATABASE_URL") or EMBEDDED_DATABASE_URL
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password for the new admin (12+ characters): ")
        if getpass.getpass("Same password again: ") != password:
            print("incident-bot: the passwords differ; nothing created", file=sys.stderr)
            return 1
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        os.makedirs(os.path.dirname(url[len("sqlite:///"):]) or ".", exist_ok=True)
    upgrade(url)  # idempotent: the web tables exist even before the first `run`
    db = Database(url)
    try:
        user = create_admin_account(db, email, password, name)
    except WebError as exc:
        print(f"incident-bot: {exc.message}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"admin {user.email} created in {url.split('@')[-1]}: sign in at the web UI")
    return 0
