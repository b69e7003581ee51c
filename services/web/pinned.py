"""Serving a pinned image (or file) through the web: only to people allowed to see the
incident, never from a public address; only safe image types are shown inline."""
from __future__ import annotations

import base64
import re

from flask import Response

from services.web.errors import NotFound

INLINE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def content_response(item: dict) -> Response:
    encoded = item.get("content_base64")
    if not encoded:
        raise NotFound("this pinned item has no file")
    mimetype = (item.get("mimetype") or "").lower()
    response = Response(base64.b64decode(encoded))
    # Headers are Latin-1: keep the name to plain characters.
    name = re.sub(r"[^A-Za-z0-9._-]", "_", item.get("file_name") or "")[:100] \
        or f"pinned-{item['id']}"
    if mimetype in INLINE_TYPES:
        response.mimetype = mimetype
        response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    else:
        # SVG, HTML and the like could run script in our origin: download them instead.
        response.mimetype = "application/octet-stream"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
