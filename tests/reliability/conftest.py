"""Stacks for the failure drills: `stack_factory` (services of one's choosing) and
`vendor_world` (every service, the vendor integrations included, with their fakes)."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

import psycopg2
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.incidents.migrate import upgrade
from services.web.migrate import upgrade as upgrade_web
from tests.e2e.conftest import make_fake, slack_env
from tests.e2e.flows import bot_messages
from tests.fakes.confluence_api import ConfluenceFake
from tests.fakes.pagerduty_api import PagerDutyFake
from tests.fakes.slack_api import SlackFake
from tests.fakes.slack_signing import SlackSender
from tests.fakes.statuspage_api import StatuspageFake
from tests.fakes.zoom_api import ZoomFake
from tests.integrations.vendor_stack import delete_queues
from tests.support import infra
from tests.support.stack import SIGNING_SECRET, Stack, wait_http
from tests.web.support import api_token


@pytest.fixture
def stack_factory(amqp_uri, tmp_path):
    """Start a stack of service processes of one's choosing; cleaned up after the test."""
    made = []

    def make(services=("incidents", "slack_gateway", "web"), **env):
        fake = make_fake()
        database_url = infra.create_database()
        upgrade(database_url)
        upgrade_web(database_url)
        stack = Stack({**slack_env(fake), "AMQP_URI": amqp_uri, "DATABASE_URL": database_url,
                       **env}, tmp_path)
        made.append((stack, fake, database_url))
        for name in services:
            stack.start(name, "serve", name)
        stack.wait_ready()
        return stack, fake, database_url

    yield make
    for stack, fake, database_url in made:
        stack.stop()
        print(stack.logs())
        fake.stop()
        infra.drop_database(database_url)


VENDORS = ("zoom", "pagerduty", "statuspage", "confluence")
SERVICES = ("incidents", "slack_gateway", "web", *VENDORS)
CONFIG = """
integrations:
  confluence:
    space: ENG
    parent_page: Postmortems
"""
FROM = "incident-bot@example.com"


@dataclass
class World:
    stack: Stack
    slack: SlackFake
    sender: SlackSender
    rpc: object
    pd: PagerDutyFake
    sp: StatuspageFake
    zoom: ZoomFake
    wiki: ConfluenceFake
    parent_id: str
    database_url: str
    amqp_uri: str
    api_token: str

    def crash(self, name: str) -> None:
        """SIGKILL `name` and start it again; back once it answers on its ops port."""
        self.stack.kill(name)
        self.stack.restart(name)
        wait_http(f"{self.stack.ops_url(name)}/readyz", timeout=60,
                  procs=[self.stack.procs[name]])

    def links(self, incident_id: int, kind: str) -> list[dict]:
        return self.rpc.incidents.list_incident_links(incident_id, kind=kind)

    def timeline(self, incident_id: int) -> list[str]:
        return [e["text"] for e in
                self.rpc.incidents.list_timeline(incident_id, limit=200)["items"]]

    def room_posts(self, channel_id: str, emoji: str) -> list[dict]:
        return [m for m in bot_messages(self.slack, channel_id)
                if (m.get("text") or "").startswith(emoji)]

    def sql(self, query: str, *args) -> list[tuple]:  # noqa: ANN002
        with contextlib.closing(psycopg2.connect(self.database_url)) as conn, \
                conn.cursor() as cur:
            cur.execute(query, args)
            return cur.fetchall()


@pytest.fixture(scope="module")
def vendor_world(amqp_uri, tmp_path_factory):
    """Every service as its own process, Zoom, PagerDuty, Statuspage and Confluence on,
    each with its fake; vendor queues deleted at the end."""
    folder = tmp_path_factory.mktemp("integration-crash")
    (folder / "config.yaml").write_text(CONFIG)
    slack = make_fake()
    pd = PagerDutyFake(tls_dir=folder / "pd-tls")
    pd.add_service("Checkout API", pd.add_escalation_policy("Platform", "PPLATFM"), "PCHECKT")
    sp = StatuspageFake()
    sp.add_component("Checkout", component_id="chk000000001")
    zoom, wiki = ZoomFake(), ConfluenceFake()
    for fake in (pd, sp, zoom, wiki):
        fake.start()
    wiki.add_space("ENG", "Engineering")
    parent_id = wiki.add_page("ENG", "Postmortems")
    database_url = infra.create_database()
    upgrade(database_url)
    upgrade_web(database_url)
    env = {**slack_env(slack), **zoom.env(), **wiki.env(),
           "PAGERDUTY_API_TOKEN": pd.token, "PAGERDUTY_API_URL": pd.url,
           "PAGERDUTY_FROM_EMAIL": FROM, "PAGERDUTY_CA_FILE": pd.ca_file,
           "STATUSPAGE_API_KEY": sp.api_key, "STATUSPAGE_PAGE_ID": sp.page_id,
           "STATUSPAGE_API_URL": sp.url, "AMQP_URI": amqp_uri, "DATABASE_URL": database_url,
           "INCIDENTBOT_CONFIG": str(folder / "config.yaml")}
    stack = Stack(env, folder)
    try:
        for name in SERVICES:
            stack.start(name, "serve", name)
        stack.wait_ready()
        for name in VENDORS:
            wait_http(f"{stack.ops_url(name)}/readyz", timeout=60, procs=[stack.procs[name]])
        with ClusterRpcProxy({"AMQP_URI": amqp_uri, "serializer": "json"}, timeout=30) as rpc:
            yield World(stack, slack, SlackSender(f"{stack.gateway_url}/slack/events",
                                                  SIGNING_SECRET),
                        rpc, pd, sp, zoom, wiki, parent_id, database_url, amqp_uri,
                        api_token(database_url, "crash drill"))
    finally:
        stack.stop()
        print(stack.logs())
        for fake in (slack, pd, sp, zoom, wiki):
            fake.stop()
        infra.drop_database(database_url)
        delete_queues(amqp_uri, VENDORS)
