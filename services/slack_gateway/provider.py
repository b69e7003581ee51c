"""The gateway's Slack dependency: Web API client, Bolt app and digest channel,
built once at container set-up from the nameko config (never at import)."""
from __future__ import annotations

import logging

import eventlet
from nameko.extensions import DependencyProvider
from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier
from werkzeug.wrappers import Request, Response

from services.common.bus import RpcPool
from services.common.config import Config
from services.common.dependencies import config_of
from services.slack_gateway.bolt_app import build_app
from services.slack_gateway.digest_channel import DigestChannel
from services.slack_gateway.listeners import GatewayDeps
from services.slack_gateway.slack_client import SlackSettings, make_web_client

log = logging.getLogger(__name__)
RPC_WARM_PROXIES = 4
# Slack drops a request not acknowledged within 3 s: an RPC made before the ack must end
# (with an answer or a clear error to the user) well before that.
RPC_DEADLINE_SECONDS = 2.0


class Slack:
    """What gateway entrypoints get: `client`, `config`, `digest`, `handle_http`."""

    def __init__(self, settings: SlackSettings, config: Config, rpc: RpcPool):
        self.settings = settings
        self.config = config
        self.rpc = rpc
        self.enabled = settings.enabled
        self.verifier = SignatureVerifier(settings.signing_secret) if self.enabled else None
        self.client = make_web_client(settings) if self.enabled else None
        self.digest = DigestChannel(self.client, config.digest_channel) if self.enabled else None
        self.app = (build_app(settings.signing_secret, self.client,
                              GatewayDeps(config, rpc, self.digest))
                    if self.enabled else None)

    def handle_http(self, request: Request) -> Response:
        if not self.enabled:
            return Response('{"error": "Slack is not configured on this gateway"}', status=503,
                            mimetype="application/json")
        headers: dict[str, list[str]] = {}
        for key, value in request.headers.items():
            headers.setdefault(key.lower(), []).append(value)
        try:
            body = request.get_data().decode("utf-8")
        except UnicodeDecodeError:  # Slack sends UTF-8; nothing else can carry its signature
            body = None
        # Verified before anything reads the body: an unsigned request learns nothing.
        if body is None or not self.verifier.is_valid_request(
                body, {k: v[0] for k, v in headers.items()}):
            return Response('{"error": "invalid signature"}', status=401,
                            mimetype="application/json")
        try:
            bolt_request = BoltRequest(body=body,
                                       query=request.query_string.decode("latin-1"),
                                       headers=headers)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # Not what its Content-Type says, or a payload Bolt cannot read its context from.
            log.warning("malformed Slack request body rejected: %r", exc)
            return Response('{"error": "malformed Slack request body"}', status=400,
                            mimetype="application/json")
        try:
            result = self.app.dispatch(bolt_request)
        except (TypeError, KeyError, AttributeError, ValueError) as exc:
            # Bolt catches what listeners raise; what escapes comes from matching a
            # payload of the wrong shape (e.g. a view_submission without a view).
            log.warning("malformed Slack request rejected: %r", exc)
            return Response('{"error": "malformed Slack request"}', status=400,
                            mimetype="application/json")
        response = Response(result.body, status=result.status)
        for key, values in result.headers.items():
            for value in values:
                response.headers.add(key, value)
        return response


class SlackProvider(DependencyProvider):
    def setup(self) -> None:
        settings = SlackSettings.from_nameko_config(self.container.config)
        self.rpc = RpcPool(self.container.config, deadline=RPC_DEADLINE_SECONDS)
        self.slack = Slack(settings, config_of(self.container.config), self.rpc)
        if not self.slack.enabled:
            log.warning("Slack is off: %s not set. The gateway answers 503 on /slack/events; "
                        "every other service runs.", " and ".join(settings.missing))

    def start(self) -> None:
        self.socket_mode = None
        if self.slack.enabled:
            # Joining the digest channel talks to Slack: do not hold up start-up for it.
            eventlet.spawn_n(self.slack.digest.resolve)
            eventlet.spawn_n(self.rpc.warm, RPC_WARM_PROXIES)
            if self.slack.settings.app_token:
                from services.slack_gateway.socket_mode import SocketMode

                self.socket_mode = SocketMode(self.slack.app, self.slack.settings.app_token,
                                              self.slack.settings.api_url)
                eventlet.spawn_n(self.socket_mode.start)

    def stop(self) -> None:
        if getattr(self, "socket_mode", None):
            self.socket_mode.stop()
        self.rpc.close()

    def kill(self) -> None:
        self.rpc.close()

    def get_dependency(self, worker_ctx) -> Slack:  # noqa: ANN001
        return self.slack
