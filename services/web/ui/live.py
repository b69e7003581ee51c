"""GET /live: server-sent events telling open pages that something changed."""
from __future__ import annotations

from flask import Response, current_app, request

from services.web.security import requires
from services.web.ui import ui


@ui.get("/live")
@requires("viewer")
def live():  # noqa: ANN201
    hub = current_app.extensions["web"].hub
    # eventlet.wsgi buffers small writes by default: send every event at once.
    request.environ["eventlet.minimum_write_chunk_size"] = 0
    response = Response(hub.stream(), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # and so should a proxy in front
    return response
