"""Names of the facts `incidents` announces, and where they come from.

Handlers subscribe with `@event_handler(SOURCE, IncidentEvent.DECLARED)`.
Every payload carries `event_id` (unique per fact), `incident_id`, `recorded_at`
(ISO time the fact was stored) and an `incident` snapshot; handlers re-read what they
need.
"""
from enum import StrEnum

SOURCE = "incidents"


class IncidentEvent(StrEnum):
    DECLARED = "incident_declared"
    STATUS_CHANGED = "incident_status_changed"
    SEVERITY_CHANGED = "incident_severity_changed"
    ROLE_ASSIGNED = "incident_role_assigned"
    SLACK_RESOURCES_ATTACHED = "incident_slack_resources_attached"
    REOPENED = "incident_reopened"
    TIMELINE_EVENT_ADDED = "timeline_event_added"
    TIMELINE_EVENT_DELETED = "timeline_event_deleted"
    STATUS_UPDATE_POSTED = "status_update_posted"
    ITEM_PINNED = "item_pinned"
    ITEM_UNPINNED = "item_unpinned"
    RESOLVED = "incident_resolved"
    UPDATE_REMINDER_DUE = "update_reminder_due"
    LINK_ADDED = "incident_link_added"
    LINK_UPDATED = "incident_link_updated"
    STALE_INCIDENTS_REPORTED = "stale_incidents_reported"
    DESCRIPTION_CHANGED = "incident_description_changed"
    TIMELINE_EVENT_EDITED = "timeline_event_edited"
