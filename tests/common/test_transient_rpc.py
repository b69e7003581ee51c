"""RPC requests are sent transient (the broker keeps them in memory), events persistent
(written to disk, so they outlive a broker restart): read back from the real queues."""
import kombu
import pytest
from nameko.events import event_handler
from nameko.exceptions import RpcTimeout
from nameko.rpc import rpc
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.bus import transient_rpc_requests

pytestmark = pytest.mark.service


class Probe:
    name = "probe"

    @rpc
    def ping(self):
        return "pong"

    @event_handler("incidents", "probe_event")
    def heard(self, payload):
        pass


def queued(amqp_uri: str, queue: str):
    with kombu.Connection(amqp_uri) as connection:
        return connection.default_channel.basic_get(queue, no_ack=True)


def test_rpc_requests_are_transient_and_events_persistent(amqp_uri, container_factory):
    transient_rpc_requests()
    transient_rpc_requests()  # twice is harmless
    config = {"AMQP_URI": amqp_uri}
    container = container_factory(Probe, config)
    with ClusterRpcProxy(config, timeout=5) as proxy:
        assert proxy.probe.ping() == "pong"  # still answered as before
    container.stop()  # its durable queues stay; what is sent now waits in them
    with ClusterRpcProxy(config, timeout=0.5) as proxy, pytest.raises(RpcTimeout):
        proxy.probe.ping()
    event_dispatcher(config)("incidents", "probe_event", {"n": 1})
    request = queued(amqp_uri, "rpc-probe")
    event = queued(amqp_uri, "evt-incidents-probe_event--probe.heard")
    assert request.properties["delivery_mode"] == 1
    assert event.properties["delivery_mode"] == 2
