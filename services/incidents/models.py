"""Incident tables. Only the incidents service opens sessions on them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.timeutil import UTCDateTime, utcnow


class Base(DeclarativeBase):
    pass


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(64))
    is_private: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    # Makes a retried declaration (same modal submission, same message) a no-op.
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    channel_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    channel_name: Mapped[str | None] = mapped_column(String(80))
    digest_channel_id: Mapped[str | None] = mapped_column(String(32))
    digest_ts: Mapped[str | None] = mapped_column(String(32))
    control_panel_ts: Mapped[str | None] = mapped_column(String(32))
    meeting_url: Mapped[str | None] = mapped_column(String(1024))
    # The Slack message an incident was declared from (reaction), for the thread reply.
    source_channel_id: Mapped[str | None] = mapped_column(String(32))
    source_ts: Mapped[str | None] = mapped_column(String(32))
    declared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    severity_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_update_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When the next "send an update" reminder is due; NULL when none is (resolved,
    # or a severity that gets no reminders). Maintained by `reminders.schedule`.
    next_reminder_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)

    roles: Mapped[list["RoleAssignment"]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", lazy="selectin"
    )
    links: Mapped[list["IncidentLink"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="IncidentLink.id"
    )

    __table_args__ = (
        Index("ix_incidents_status_declared", "status", "declared_at"),
        Index("ix_incidents_severity", "severity"),
        Index("ix_incidents_next_reminder", "next_reminder_at"),
        Index("ix_incidents_declared", "declared_at", "id"),
        Index("ix_incidents_resolved", "resolved_at"),
    )


class RoleAssignment(Base):
    """The current holder of one role on one incident (history is on the timeline)."""

    __tablename__ = "role_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    assigned_by: Mapped[str | None] = mapped_column(String(64))
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="roles")

    __table_args__ = (UniqueConstraint("incident_id", "role", name="uq_role_per_incident"),)


class TimelineEvent(Base):
    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_timeline_incident_time", "incident_id", "occurred_at", "id"),)


class StatusUpdate(Base):
    __tablename__ = "status_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    impacted: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[str | None] = mapped_column(String(64))
    posted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_status_updates_incident", "incident_id", "posted_at"),)


class PinnedItem(Base):
    __tablename__ = "pinned_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # message | image
    message_ts: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[str | None] = mapped_column(String(64))
    permalink: Mapped[str | None] = mapped_column(String(1024))
    file_name: Mapped[str | None] = mapped_column(String(255))
    mimetype: Mapped[str | None] = mapped_column(String(128))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    pinned_by: Mapped[str | None] = mapped_column(String(64))
    pinned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("incident_id", "message_ts", name="uq_pin_per_message"),)


class IncidentLink(Base):
    """Something an integration made for an incident: a meeting, a page, a status page
    incident, a postmortem. One row per (incident, kind, external id)."""

    __tablename__ = "incident_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("incident_id", "kind", "external_id",
                                       name="uq_link_per_incident"),)


class Setting(Base):
    """Settings services keep and the web UI edits (e.g. PagerDuty auto-page teams)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[dict | list | str | int | None] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))


class OutboxEvent(Base):
    """An event written with the change it announces; relayed to the bus after commit."""

    __tablename__ = "outbox"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_outbox_unpublished", "published_at", "created_at"),)


class DeliveryClaim(Base):
    """At-most-once claims: Slack retries, redelivered events, reminders."""

    __tablename__ = "delivery_claims"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
