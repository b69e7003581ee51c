"""The web UI in headless Chromium against the services as deployed (incidents, the Slack
gateway and web, each its own process, with the Slack fake): sign in, declare, change the
status, add and delete a timeline entry, delete a pinned item, and watch changes made in
Slack appear without reloading the page."""
import base64
import os

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.incidents.migrate import upgrade
from services.web.migrate import upgrade as upgrade_web
from tests.e2e.conftest import make_fake, slack_env
from tests.e2e.flows import click, select
from tests.fakes.slack_signing import SlackSender
from tests.support import infra
from tests.support.stack import SIGNING_SECRET, Stack, wait_until
from tests.web.browser import CHROMIUM, Browser
from tests.web.test_api_records import PNG

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                 reason="scripts/ensure-browser.sh installs chromium")]
ADMIN = ("first.admin@example.com", "first admin password 1")
SHOTS = os.environ.get("WEB_SCREENSHOTS", "/tmp")


@pytest.fixture(scope="module")
def stack(amqp_uri, tmp_path_factory):
    fake = make_fake()
    database_url = infra.create_database()
    upgrade(database_url)
    upgrade_web(database_url)
    stack = Stack({**slack_env(fake), "AMQP_URI": amqp_uri, "DATABASE_URL": database_url,
                   "WEB_ADMIN_EMAIL": ADMIN[0], "WEB_ADMIN_PASSWORD": ADMIN[1]},
                  tmp_path_factory.mktemp("browser-logs"))
    try:
        for name in ("incidents", "slack_gateway", "web"):
            stack.start(name, "serve", name)
        stack.wait_ready()
        yield stack, fake
    finally:
        stack.stop()
        print(stack.logs())
        fake.stop()
        infra.drop_database(database_url)


@pytest.fixture(scope="module")
def incidents(stack, amqp_uri):
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as proxy:
        yield proxy.incidents


@pytest.fixture(scope="module")
def browser(stack):
    browser = Browser(stack[0].web_url)
    yield browser
    browser.close()


def same_page(browser: Browser) -> None:
    """Mark the loaded document: a reload would lose the mark."""
    browser.page("evaluate", "() => { window.__stillHere = true; }")


def still_same_page(browser: Browser) -> bool:
    return browser.page("evaluate", "() => window.__stillHere === true")


@pytest.fixture(scope="module")
def declared(stack, browser, incidents):
    """Sign in as the first admin (from WEB_ADMIN_*), declare an incident from the form."""
    browser.goto("/")
    browser.expect("h1", "to_have_text", "Sign in")
    browser.locator("#email", "fill", ADMIN[0])
    browser.locator("#password", "fill", ADMIN[1])
    browser.locator("form[action='/login'] button[type=submit]", "click")
    browser.expect("h1", "to_have_text", "Dashboard")
    browser.locator("a.button", "click")
    browser.locator("#description", "fill", "Checkout API returns 500 (browser test)")
    browser.locator("#severity", "select_option", "sev2")
    browser.locator("form[action='/incidents'] button[type=submit]", "click")
    browser.expect("#incident-description", "to_have_text",
                   "Checkout API returns 500 (browser test)")
    incident_id = int(browser.page("evaluate", "() => location.pathname.split('/').pop()"))
    return incidents.get_incident(incident_id)


def test_declared_incident_gets_its_war_room_live(stack, browser, declared, incidents):
    same_page(browser)
    fake = stack[1]
    # The gateway opens the war room in (fake) Slack; the page shows its link by itself.
    browser.expect("#incident-summary a[href^='https://slack.com/app_redirect?channel=C']",
                   "to_be_visible", timeout=20_000)
    channel_id = incidents.get_incident(declared["id"])["channel_id"]
    assert fake.channel(channel_id)["name"].startswith("inc-")
    assert still_same_page(browser)


def test_change_status(browser, declared, incidents):
    browser.locator("#details-status", "select_option", "identified")
    browser.locator("#details-form button[type=submit]", "click")
    browser.expect("#incident-status", "to_have_text", "Identified")
    browser.expect(".flash", "to_contain_text", "Incident updated.")
    assert incidents.get_incident(declared["id"])["status"] == "identified"


def test_add_and_delete_a_timeline_entry(browser, declared, incidents):
    text = "Rolled back deploy 4711"
    browser.locator("#timeline-text", "fill", text)
    browser.locator("#timeline-add button[type=submit]", "click")
    entry = f"#incident-timeline li:has-text('{text}')"
    browser.expect(entry, "to_have_count", 1)
    assert text in [e["text"] for e in incidents.list_timeline(declared["id"])["items"]]
    browser.locator(f"{entry} summary", "click")
    browser.locator(f"{entry} button.danger", "click")  # confirm() is accepted
    browser.expect(entry, "to_have_count", 0)
    assert text not in [e["text"] for e in incidents.list_timeline(declared["id"])["items"]]


def test_pinned_image_appears_live_and_is_deleted(browser, declared, incidents):
    same_page(browser)
    incidents.add_pinned_item(declared["id"], {
        "message_ts": "1700000000.000500", "kind": "image", "file_name": "errors.png",
        "mimetype": "image/png", "content_base64": base64.b64encode(PNG).decode(),
        "text": "error rate graph", "author_id": "U0REPORTER", "pinned_by": "U0REPORTER"})
    browser.expect("#incident-pinned article", "to_have_count", 1, timeout=15_000)
    assert still_same_page(browser)
    # The image is served through the web, to this signed-in browser (never a public URL).
    browser.page("wait_for_function", "() => { const image = document.querySelector("
                 "'#incident-pinned img'); return image && image.complete && "
                 "image.naturalWidth === 1; }", timeout=10_000)
    assert "/pinned/" in browser.page("evaluate", "() => document.querySelector("
                                                  "'#incident-pinned img').src")
    browser.locator("#incident-pinned article button.danger", "click")
    browser.expect("#incident-pinned article", "to_have_count", 0)
    assert incidents.list_pinned_items(declared["id"]) == []


def test_severity_changed_in_slack_shows_without_reload(stack, browser, declared, incidents):
    web, fake = stack
    same_page(browser)
    channel_id = incidents.get_incident(declared["id"])["channel_id"]
    wait_until(lambda: fake.pins(channel_id), timeout=20)  # the control panel is up
    sender = SlackSender(f"{web.gateway_url}/slack/events", SIGNING_SECRET)
    click(sender, fake, channel_id, select("incident_severity_select", "sev1"))
    browser.expect("#incident-severity", "to_have_text", "sev1", timeout=15_000)
    browser.expect("#incident-timeline", "to_contain_text", "Severity changed from sev2 to sev1")
    assert still_same_page(browser)
    browser.page("screenshot", path=f"{SHOTS}/web-incident.png", full_page=True)


def test_dashboard_and_phone_layout(stack, browser, declared):
    browser.goto("/")
    browser.expect(".chart", "to_be_visible")
    browser.page("screenshot", path=f"{SHOTS}/web-dashboard.png", full_page=True)
    phone = Browser(stack[0].web_url, viewport={"width": 390, "height": 844})
    try:
        phone.goto("/login")
        phone.locator("#email", "fill", ADMIN[0])
        phone.locator("#password", "fill", ADMIN[1])
        phone.locator("form[action='/login'] button[type=submit]", "click")
        phone.goto(f"/incidents/{declared['id']}")
        phone.expect("#incident-description", "to_be_visible")
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert phone.page("evaluate", "() => document.documentElement.scrollWidth") <= 390
        phone.page("screenshot", path=f"{SHOTS}/web-phone.png", full_page=True)
    finally:
        phone.close()
