"""Prometheus metrics shared by every service (one registry per process)."""
from __future__ import annotations

from prometheus_client import Counter, Histogram

ENTRYPOINT_CALLS = Counter(
    "incidentbot_entrypoint_calls_total", "Entrypoint runs (RPC, events, HTTP, timers)",
    ["service", "entrypoint", "outcome"])
ENTRYPOINT_SECONDS = Histogram(
    "incidentbot_entrypoint_seconds", "Entrypoint run time", ["service", "entrypoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
SLACK_CALLS = Counter(
    "incidentbot_slack_api_calls_total", "Slack Web API calls", ["method", "outcome"])
SLACK_RETRIES = Counter(
    "incidentbot_slack_api_retries_total", "Slack Web API retries", ["reason"])
VENDOR_CALLS = Counter(
    "incidentbot_vendor_calls_total", "Calls to vendors' APIs", ["vendor", "outcome"])
REMINDERS_SENT = Counter(
    "incidentbot_reminders_sent_total", "Update reminders claimed and sent")
