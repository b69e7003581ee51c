"""The incidents service in a real nameko container, over real RabbitMQ and PostgreSQL."""
import uuid

import eventlet
import pytest
from nameko.events import event_handler
from sqlalchemy import select

from services.common.events import SOURCE, IncidentEvent
from services.common.timeutil import utcnow
from services.incidents.exceptions import IncidentNotFound, InvalidInput
from services.incidents.models import OutboxEvent
from services.incidents.service import IncidentsService
from tests.incidents.factories import declaration

pytestmark = pytest.mark.service
received: list = []


class Listener:
    name = "test_listener"

    @event_handler(SOURCE, IncidentEvent.DECLARED)
    def declared(self, payload):
        received.append(("declared", payload))

    @event_handler(SOURCE, IncidentEvent.RESOLVED)
    def resolved(self, payload):
        received.append(("resolved", payload))


def wait_for(predicate, timeout=10.0):
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while eventlet.hubs.get_hub().clock() < deadline:
        if predicate():
            return True
        eventlet.sleep(0.02)
    return False


@pytest.fixture
def services(container_factory, nameko_config):
    received.clear()
    container_factory(Listener, nameko_config)
    container_factory(IncidentsService, nameko_config)


def test_declare_over_rpc_publishes_the_event(services, rpc, pg_db):
    incident = rpc.incidents.declare_incident(declaration())
    assert wait_for(lambda: len(received) == 1)
    kind, payload = received[0]
    assert kind == "declared"
    assert payload["incident_id"] == incident["id"]
    assert payload["incident"]["description"] == "Checkout API returns 500"

    def marked_published():  # marked once the broker confirmed it, maybe after delivery
        with pg_db.transaction() as session:
            row = session.scalar(select(OutboxEvent))
            return row.id == payload["event_id"] and row.published_at is not None
    assert wait_for(marked_published)
    assert rpc.incidents.get_incident(incident["id"]) == incident


def test_domain_errors_cross_the_wire_under_their_names(services, rpc):
    with pytest.raises(InvalidInput) as err:
        rpc.incidents.declare_incident(declaration(severity="sev9"))
    assert err.value.field == "severity" and "sev9" in err.value.message
    with pytest.raises(IncidentNotFound):
        rpc.incidents.get_incident(12345)
    assert rpc.incidents.get_incident_by_channel("C0NOPE") is None


def test_full_lifecycle_over_rpc(services, rpc):
    incident = rpc.incidents.declare_incident(declaration(severity="sev3"))
    rpc.incidents.attach_slack_resources(incident["id"], channel_id="C0WAR",
                                         channel_name="inc-war", control_panel_ts="1.000100")
    rpc.incidents.change_severity(incident["id"], "sev1", "U0IC")
    rpc.incidents.assign_role(incident["id"], "incident_commander", "U0IC", "U0IC")
    rpc.incidents.add_timeline_event(incident["id"], "Rolled back the deploy", actor_id="U0IC")
    final = rpc.incidents.change_status(incident["id"], "resolved", "U0IC")
    assert final["severity"] == "sev1" and final["resolved_at"]
    assert final["roles"] == {"incident_commander": "U0IC"}
    assert rpc.incidents.get_incident_by_channel("C0WAR")["id"] == incident["id"]
    kinds = [e["kind"] for e in rpc.incidents.list_timeline(incident["id"])["items"]]
    assert kinds == ["declared", "channel_created", "severity_changed", "role_assigned",
                     "manual", "status_changed"]
    assert wait_for(lambda: [k for k, _ in received] == ["declared", "resolved"])
    page = rpc.incidents.list_incidents(status="resolved")
    assert page["total"] == 1 and page["items"][0]["id"] == incident["id"]


def test_backlog_relay_publishes_what_a_crash_left_behind(services, rpc, pg_db):
    incident = rpc.incidents.declare_incident(declaration())
    assert wait_for(lambda: len(received) == 1)
    orphan_id = str(uuid.uuid4())
    with pg_db.transaction() as session:  # as if the process died between commit and publish
        session.add(OutboxEvent(id=orphan_id, event_type="incident_declared",
                                payload={"event_id": orphan_id, "incident_id": incident["id"],
                                         "incident": incident},
                                created_at=utcnow().replace(year=2020)))
    assert wait_for(lambda: len(received) == 2, timeout=15)
    assert received[1][1]["event_id"] == orphan_id

    def marked_published():  # the relay marks the row after the broker confirms it
        with pg_db.transaction() as session:
            return session.get(OutboxEvent, orphan_id).published_at is not None
    assert wait_for(marked_published, timeout=15)


def test_concurrent_claims_have_one_winner(services, nameko_config):
    from nameko.standalone.rpc import ClusterRpcProxy

    def claim(_):
        with ClusterRpcProxy(nameko_config, timeout=10) as proxy:
            return proxy.incidents.claim_delivery("reminder:1:2026-11-26T10:00")

    results = list(eventlet.GreenPool(8).imap(claim, range(8)))
    assert results.count(True) == 1
