"""Server-rendered pages (Jinja2) with a little vendored JavaScript for live updates."""
from flask import Blueprint

ui = Blueprint("ui", __name__)

from services.web.ui import admin, forms, live, pages  # noqa: E402,F401  (routes)
