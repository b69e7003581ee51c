"""Live updates across replicas: two `web` service containers (as two Deployment replicas)
each hear every incident event and pass it to the browsers connected to them."""
import json

import eventlet
import pytest
import requests
from nameko.containers import ServiceContainer

from services.web.live import LiveHub
from services.web.server import WebServer
from services.web.service import WebService
from tests.web.conftest import SECRET
from tests.web.support import PASSWORD, csrf_from, make_user

pytestmark = pytest.mark.service


@pytest.fixture(scope="module")
def replicas(services, backend_config):
    config = {**backend_config, "WEB_SERVER_ADDRESS": "127.0.0.1:0", "WEB_SECRET_KEY": SECRET}
    containers = [ServiceContainer(WebService, config) for _ in range(2)]
    for container in containers:
        container.start()
    urls = []
    for container in containers:
        server = next(d for d in container.dependencies if isinstance(d, WebServer))
        urls.append(f"http://127.0.0.1:{server.port}")
    yield urls
    for container in containers:
        container.stop()


def signed_in(url: str, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{url}/login", timeout=5)
    response = session.post(f"{url}/login", data={"email": email, "password": PASSWORD,
                                                  "csrf_token": csrf_from(page.text)},
                            allow_redirects=False, timeout=5)
    assert response.status_code == 302
    return session


def read_events(session: requests.Session, url: str, found: list, ready: eventlet.Event):
    with session.get(f"{url}/live", stream=True, timeout=30) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        event = None
        for line in stream.iter_lines(decode_unicode=True):
            if line.startswith("event: "):
                event = line[len("event: "):]
            elif line.startswith("data: "):
                found.append((event, json.loads(line[len("data: "):])))
                if event == "hello" and not ready.ready():
                    ready.send()
                if event == "change":
                    return


def test_both_replicas_tell_their_browsers(app, replicas):
    make_user(app, "live@example.com", "responder")
    sessions = [signed_in(url, "live@example.com") for url in replicas]
    # One sign-in works on the other replica too: the session key is shared.
    assert requests.get(f"{replicas[1]}/api/v1/me", cookies=sessions[0].cookies,
                        timeout=5).status_code == 200
    streams, readers = [], []
    for session, url in zip(sessions, replicas):
        found, ready = [], eventlet.Event()
        readers.append(eventlet.spawn(read_events, session, url, found, ready))
        streams.append((found, ready))
    for _, ready in streams:
        ready.wait(10)
    page = sessions[0].get(f"{replicas[0]}/incidents/new", timeout=5)
    declared = sessions[0].post(f"{replicas[0]}/incidents", data={
        "description": "Seen live on both replicas", "csrf_token": csrf_from(page.text)},
        allow_redirects=False, timeout=5)
    assert declared.status_code == 302
    incident_id = int(declared.headers["Location"].rsplit("/", 1)[1])
    with eventlet.Timeout(15):
        for reader in readers:
            reader.wait()
    for found, _ in streams:
        assert found[0][0] == "hello"
        assert found[-1] == ("change", {"id": found[-1][1]["id"], "event": "incident_declared",
                                        "incident_id": incident_id})


def test_health_and_readiness_on_the_web_port(replicas):
    assert requests.get(f"{replicas[0]}/healthz", timeout=5).json() == {"status": "ok"}
    assert requests.get(f"{replicas[1]}/readyz", timeout=5).json()["status"] == "ready"


def test_live_hub_drops_notices_for_stalled_browsers_and_forgets_closed_streams():
    hub = LiveHub()
    stream = hub.stream(heartbeat=0.01, duration=1)
    assert next(stream).startswith("retry: 2000\nevent: hello")
    assert hub.subscriber_count == 1
    for n in range(150):  # more than a queue holds: publishing never blocks
        hub.publish("incident_declared", {"incident_id": n})
    first = next(stream)
    assert first.startswith("id: 1\nevent: change") and '"incident_id": 0' in first
    stream.close()
    assert hub.subscriber_count == 0
    keepalive = hub.stream(heartbeat=0.01, duration=1)
    next(keepalive)
    assert next(keepalive) == ": keep-alive\n\n"
    keepalive.close()
