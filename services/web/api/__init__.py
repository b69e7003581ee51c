"""The REST API under /api/v1: JSON in and out, described by /api/v1/openapi.json."""
from flask import Blueprint

api = Blueprint("api", __name__)

from services.web.api import admin, incidents, records, spec  # noqa: E402,F401  (routes)
