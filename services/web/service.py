"""Web service (placeholder until the web UI issue): a page listing open incidents,
read over RPC, and a health check. It owns no incident tables."""
from __future__ import annotations

import html
import json

from nameko.rpc import RpcProxy
from nameko.web.handlers import http
from werkzeug.wrappers import Request, Response

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>incident-bot</title></head><body>
<h1>incident-bot</h1><p>The full web UI is coming; open incidents:</p><ul>{items}</ul>
</body></html>"""


class WebService:
    name = "web"

    incidents = RpcProxy("incidents")

    @http("GET", "/")
    def index(self, request: Request) -> Response:
        page = self.incidents.list_incidents(open_only=True, limit=50)
        items = "".join(
            f"<li>#{i['id']} [{html.escape(i['severity'])}, {html.escape(i['status'])}] "
            f"{html.escape(i['description'])}</li>" for i in page["items"]
        ) or "<li>None right now.</li>"
        return Response(PAGE.format(items=items), mimetype="text/html")

    @http("GET", "/healthz")
    def healthz(self, request: Request) -> Response:
        return Response(json.dumps({"status": "ok"}), mimetype="application/json")
