"""SQLAlchemy models: everything the product keeps, one table per concept."""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, date, datetime, time
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import TextClause

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always hands back aware UTC datetimes.

    SQLite keeps no timezone, so values are normalised on the way in and out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(cls: type[enum.Enum]) -> Enum:
    """A portable VARCHAR-backed enum column type storing the member values."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=16,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints stably."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


def as_dict(row: Base) -> dict[str, Any]:
    """A row's columns as plain JSON-ready values (dates and times as ISO strings)."""
    values: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        values[column.key] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


class Timestamped:
    """Created and updated times, kept by the database layer."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RunnerStatus(enum.StrEnum):
    """Whether the coach may contact a runner."""

    ACTIVE = "active"
    PAUSED = "paused"
    BLOCKED = "blocked"
    DELETED = "deleted"


class Runner(Timestamped, Base):
    """A runner on one platform, with their coaching profile."""

    __tablename__ = "runners"
    __table_args__ = (
        UniqueConstraint("platform", "platform_user_id"),
        # Who is due at one local time, with all that planning asks of them: an index-only scan.
        Index(None, "timezone", "reminder_time", "status", "week_preview", "started_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[RunnerStatus] = mapped_column(_enum(RunnerStatus), default=RunnerStatus.ACTIVE)

    experience: Mapped[str] = mapped_column(String(16))
    equipment: Mapped[list[Any]] = mapped_column(default=list)
    sessions_per_week: Mapped[int] = mapped_column(SmallInteger, default=2)
    trail_runs_per_week: Mapped[int | None] = mapped_column(SmallInteger)
    race_date: Mapped[date | None]
    race_name: Mapped[str | None] = mapped_column(String(128))
    timezone: Mapped[str] = mapped_column(String(64))
    reminder_time: Mapped[time] = mapped_column(Time)
    week_preview: Mapped[bool] = mapped_column(default=True)
    started_on: Mapped[date] = mapped_column(Date)
    planned_until: Mapped[date | None] = mapped_column(index=True)  # last stored plan day
    # The secret in the runner's calendar subscription URL; None until one is handed out.
    calendar_token: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)
    # The day the calendar's event versions were last brought up to date: the plan as of it
    # is what a calendar link shows (bot.services.plans.calendar_events).
    calendar_as_of: Mapped[date | None]
    # The secret the UIDs of the runner's calendar events are made from (with each day).
    calendar_key: Mapped[str] = mapped_column(
        String(32), default=lambda: new_calendar_key(), server_default=""
    )
    # What the stored plan was made from besides the reports, as a replan left it: a /today
    # or /week while it still matches shows the stored plan without replaying it
    # (bot.services.plans.training_plan.plan_key). A report clears it as it is written.
    plan_key: Mapped[str | None] = mapped_column(String(64))

    week: Mapped[list[RunningDay]] = relationship(
        back_populates="runner",
        cascade="all, delete-orphan",
        order_by="RunningDay.weekday",
        lazy="selectin",
    )


def new_calendar_key() -> str:
    """A runner's calendar key: 128 random bits, as hex."""
    return secrets.token_hex(16)


class RunningDay(Base):
    """One weekday of a runner's running week: rest, easy, hard or long."""

    __tablename__ = "running_days"
    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),)

    runner_id: Mapped[int] = mapped_column(
        ForeignKey("runners.id", ondelete="CASCADE"), primary_key=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger, primary_key=True)  # 0 is Monday
    kind: Mapped[str] = mapped_column(String(8))

    runner: Mapped[Runner] = relationship(back_populates="week")


class PlannedSession(Base):
    """One strength session the coach has planned for a runner on a date."""

    __tablename__ = "planned_sessions"
    __table_args__ = (UniqueConstraint("runner_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    runner_id: Mapped[int] = mapped_column(ForeignKey("runners.id", ondelete="CASCADE"))
    date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int] = mapped_column(SmallInteger)
    after_run: Mapped[bool] = mapped_column(default=False)
    rules: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    exercises: Mapped[list[PlannedExercise]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        order_by="PlannedExercise.position",
        lazy="selectin",
    )


class PlannedExercise(Base):
    """One exercise of a planned session, with its dose."""

    __tablename__ = "planned_exercises"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("planned_sessions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    exercise_id: Mapped[str] = mapped_column(String(48))
    name: Mapped[str] = mapped_column(String(128))
    sets: Mapped[int] = mapped_column(SmallInteger)
    reps: Mapped[int | None] = mapped_column(SmallInteger)
    hold_s: Mapped[int | None] = mapped_column(SmallInteger)
    load: Mapped[str] = mapped_column(String(128))
    tempo: Mapped[str | None] = mapped_column(String(64))
    range: Mapped[str | None] = mapped_column(String(64))
    cues: Mapped[list[Any]] = mapped_column(default=list)
    cues_emphasised: Mapped[bool] = mapped_column(default=False)

    session: Mapped[PlannedSession] = relationship(back_populates="exercises")


class SessionLog(Base):
    """What a runner reported right after a session: done, partial or skipped."""

    __tablename__ = "session_logs"
    __table_args__ = (UniqueConstraint("runner_id", "session_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    runner_id: Mapped[int] = mapped_column(ForeignKey("runners.id", ondelete="CASCADE"))
    session_date: Mapped[date]
    completed: Mapped[str] = mapped_column(String(8))  # full, partial, skipped
    rpe: Mapped[int | None] = mapped_column(SmallInteger)
    pain: Mapped[list[Any]] = mapped_column(default=list)  # [{"where", "score"}]
    hips_level: Mapped[bool | None]
    logged_at: Mapped[datetime] = mapped_column(default=utcnow)


class CheckIn(Base):
    """The next-day check-in about a session, and the after-trail-run answers."""

    __tablename__ = "check_ins"
    __table_args__ = (UniqueConstraint("runner_id", "session_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    runner_id: Mapped[int] = mapped_column(ForeignKey("runners.id", ondelete="CASCADE"))
    session_date: Mapped[date]
    legs: Mapped[str | None] = mapped_column(String(16))
    soreness_where: Mapped[list[Any]] = mapped_column(default=list)
    pain: Mapped[list[Any]] = mapped_column(default=list)  # [{"where", "score", "settled"}]
    ran_normally: Mapped[bool | None]
    descending_stiff: Mapped[bool | None]
    hamstring_sensitive: Mapped[bool | None]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanChange(Base):
    """A change the coach made to a runner's plan, with the rules and the plain why."""

    __tablename__ = "plan_changes"
    __table_args__ = (Index(None, "runner_id", "effective_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    runner_id: Mapped[int] = mapped_column(ForeignKey("runners.id", ondelete="CASCADE"))
    effective_date: Mapped[date]
    rules: Mapped[list[Any]] = mapped_column(default=list)
    why: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Resumption(Base):
    """The runner resumed strength sessions after a red flag (C7), cleared by a professional."""

    __tablename__ = "resumptions"
    __table_args__ = (UniqueConstraint("runner_id", "resumed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    runner_id: Mapped[int] = mapped_column(ForeignKey("runners.id", ondelete="CASCADE"))
    resumed_on: Mapped[date]


class ProfileVersion(Base):
    """The runner's coaching profile (week, kit, race...) from one day on, as the coaching
    core's profile JSON: the plan replays each change from its day, keeping progress."""

    __tablename__ = "profile_versions"

    runner_id: Mapped[int] = mapped_column(
        ForeignKey("runners.id", ondelete="CASCADE"), primary_key=True
    )
    effective_on: Mapped[date] = mapped_column(primary_key=True)
    profile: Mapped[dict[str, Any]]


class PlanCheckpoint(Base):
    """Where the runner's plan replay stood at the start of a plan week, to resume from.

    Dropped whenever a report about an earlier day arrives; a replan replays from the start
    without one (or with one of another profile or core version) and stores a new one.
    """

    __tablename__ = "plan_checkpoints"

    runner_id: Mapped[int] = mapped_column(
        ForeignKey("runners.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date]  # the first day of the plan week it starts
    state: Mapped[dict[str, Any]]


class CalendarEvent(Base):
    """The latest version of a runner's calendar event of one day, as published: its
    content's digest, its SEQUENCE (raised by one each time the content changes) and when
    that version was made (its DTSTAMP)."""

    __tablename__ = "calendar_events"

    runner_id: Mapped[int] = mapped_column(
        ForeignKey("runners.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer)
    revised_at: Mapped[datetime]


class PlanLink(Base):
    """A runner's running-plan calendar (issue 31): the private link they gave, the last good
    copy of the calendar with its validators, when to look again, and what it said last.

    ``link`` is a secret like a password: stored as given, never logged, never shown back
    (only ``host`` is), never exported.
    """

    __tablename__ = "plan_links"

    runner_id: Mapped[int] = mapped_column(
        ForeignKey("runners.id", ondelete="CASCADE"), primary_key=True
    )
    link: Mapped[str] = mapped_column(String(2048))
    host: Mapped[str] = mapped_column(String(255))
    linked_at: Mapped[datetime]
    body: Mapped[bytes | None] = mapped_column(LargeBinary)  # the last good copy
    etag: Mapped[str | None] = mapped_column(String(256))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    fetched_at: Mapped[datetime | None]  # when the last good copy was confirmed
    next_check_at: Mapped[datetime] = mapped_column(index=True)
    failing_since: Mapped[datetime | None]
    failure_told: Mapped[bool] = mapped_column(default=False)
    notice: Mapped[str | None] = mapped_column(Text)  # what to tell the runner next


class RealWeekVersion(Base):
    """One version of a runner's real week (issue 31): from ``since`` on, the kind of each
    day their running plan named, ``{ISO day: day kind}`` (an empty one: the declared week).

    A replay lays out each version from its day, as it did then (``bot.coaching.real_week``),
    so the versions are facts of the plan lived, not of the link: they outlive an unlink or
    a new link, and go only with the runner.
    """

    __tablename__ = "real_week_versions"

    runner_id: Mapped[int] = mapped_column(
        ForeignKey("runners.id", ondelete="CASCADE"), primary_key=True
    )
    since: Mapped[date] = mapped_column(primary_key=True)
    days: Mapped[dict[str, Any]]


class RunKindRule(Base):
    """One of a runner's own answers about their plan's events: events whose title reads
    ``key`` (``bot.coaching.run_kinds.rule_key``) are runs of ``kind``."""

    __tablename__ = "run_kind_rules"

    runner_id: Mapped[int] = mapped_column(
        ForeignKey("runners.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))


class Club(Timestamped, Base):
    """A running club: a group, supergroup or channel the bot was added to."""

    __tablename__ = "clubs"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    chat_type: Mapped[str] = mapped_column(String(16))  # a ChatKind: group or channel
    title: Mapped[str | None] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    level: Mapped[str] = mapped_column(String(16), default="starting")
    session_days: Mapped[list[Any]] = mapped_column(default=list)  # weekdays, 0 is Monday
    post_time: Mapped[time | None] = mapped_column(Time)
    timezone: Mapped[str | None] = mapped_column(String(64))
    weekly_summary: Mapped[bool] = mapped_column(default=True)


class ClubMembership(Base):
    """A runner who joined a club from its deep link."""

    __tablename__ = "club_memberships"

    club_id: Mapped[int] = mapped_column(
        ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True
    )
    runner_id: Mapped[int] = mapped_column(
        ForeignKey("runners.id", ondelete="CASCADE"), primary_key=True
    )
    show_name: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClubMark(Base):
    """Someone pressed "I did it" under the club's session of ``local_date``."""

    __tablename__ = "club_marks"
    __table_args__ = (UniqueConstraint("club_id", "local_date", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    local_date: Mapped[date]
    user_id: Mapped[str] = mapped_column(String(64))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)


class DispatchKind(enum.StrEnum):
    """What a scheduled message is."""

    SESSION = "session"
    SNOOZED_SESSION = "snoozed_session"  # the runner tapped Later on the session reminder
    CHECK_IN = "check_in"
    WEEK_PREVIEW = "week_preview"
    CLUB_SESSION = "club_session"
    CLUB_SUMMARY = "club_summary"
    PLAN_NOTICE = "plan_notice"  # what the runner's running-plan calendar changed (issue 31)


class DispatchStatus(enum.StrEnum):
    """Where a reminder is on its one-attempt path."""

    PENDING = "pending"
    CLAIMED = "claimed"  # taken by a dispatcher, not yet attempted
    SENDING = "sending"  # the one attempt has started
    SENT = "sent"
    UNKNOWN = "unknown"  # the process died during the attempt: never retried
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


# Queries name these very clauses, with the statuses written out: SQLite uses a partial index
# only when the query repeats its condition, and PostgreSQL not for a bound parameter.
PENDING_ROWS = text("status = 'pending'")
IN_FLIGHT_ROWS = text("status IN ('claimed', 'sending')")
SETTLED_ROWS = text("status IN ('sent', 'unknown', 'failed', 'expired', 'cancelled')")


def _partial(name: str, *columns: str, where: TextClause, unique: bool = False) -> Index:
    """An index on the rows matching ``where`` (on SQLite and PostgreSQL)."""
    return Index(name, *columns, unique=unique, sqlite_where=where, postgresql_where=where)


class Dispatch(Base):
    """One scheduled message per (recipient, local date, kind), sent at most once."""

    __tablename__ = "dispatches"
    __table_args__ = (
        CheckConstraint("(runner_id IS NULL) <> (club_id IS NULL)", name="one_recipient"),
        # One row per recipient, day and kind. A runner's key starts with the day, so a day's
        # planning appends its rows at the end of the index instead of rewriting a page of it
        # for every runner; a runner's rows are found by the runner index below.
        _partial(
            "uq_dispatches_local_date_kind_runner_id",
            *("local_date", "kind", "runner_id"),
            where=text("runner_id IS NOT NULL"),
            unique=True,
        ),
        _partial(
            "uq_dispatches_club_id_local_date_kind",
            *("club_id", "local_date", "kind"),
            where=text("club_id IS NOT NULL"),
            unique=True,
        ),
        # The open rows' indexes stay the size of the work at hand however long the history
        # grows, and sending or settling a row touches neither.
        _partial("ix_dispatches_pending", "due_at", where=PENDING_ROWS),
        _partial("ix_dispatches_in_flight", "claimed_at", where=IN_FLIGHT_ROWS),
        # The oldest rows first, for the retention window's pruning; settling never moves it.
        Index("ix_dispatches_due_at", "due_at"),
        # A runner's rows: a re-plan's unsent ones, the export, the cascade of /deleteme.
        Index("ix_dispatches_runner_id", "runner_id"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    runner_id: Mapped[int | None] = mapped_column(ForeignKey("runners.id", ondelete="CASCADE"))
    club_id: Mapped[int | None] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    kind: Mapped[DispatchKind] = mapped_column(_enum(DispatchKind))
    local_date: Mapped[date]
    due_at: Mapped[datetime]
    status: Mapped[DispatchStatus] = mapped_column(
        _enum(DispatchStatus), default=DispatchStatus.PENDING
    )
    claimed_at: Mapped[datetime | None]
    # the dispatcher holding the claim: its own process retakes it at once, others after a lease
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)


class DialogState(Base):
    """Where a user is in a multi-step dialog, so a restart continues it."""

    __tablename__ = "dialog_states"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    dialog: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


UNHANDLED_ROWS = text("handled_at IS NULL")


class InboundUpdate(Base):
    """An update from a platform, stored before it is acknowledged; once handled and answered,
    only its id and times are kept (what tells a redelivered update from a new one), until
    pruned.

    Handling commits its effects with the reply it owes (``reply``, by ``replier``); the
    update counts as handled (``handled_at``) once that reply is sent. One with a reply owed
    is not handled again: an instance that died before sending it leaves the reply for the
    next to send.
    """

    __tablename__ = "inbound_updates"
    __table_args__ = (
        # Only the updates still to handle: what a restart reads, however long the history.
        _partial("ix_inbound_updates_unhandled", "platform", "update_id", where=UNHANDLED_ROWS),
        # One conversation's updates still to handle, in order: what its lease holder reads.
        _partial(
            "ix_inbound_updates_conversation",
            "platform",
            "conversation",
            "update_id",
            where=UNHANDLED_ROWS,
        ),
    )

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # Whose update it is (``Inbox.receive``): one instance at a time handles a conversation.
    conversation: Mapped[str | None] = mapped_column(String(64))  # None once handled
    payload: Mapped[dict[str, Any] | None]  # what a restart replays; None once handled
    reply: Mapped[str | None] = mapped_column(Text)  # owed once its effects are in; '' none
    replier: Mapped[str | None] = mapped_column(String(32))  # the instance owing it
    received_at: Mapped[datetime]
    handled_at: Mapped[datetime | None]


class Instance(Base):
    """A running bot process on this database: it beats (``seen_at``) while it lives."""

    __tablename__ = "instances"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime]
    seen_at: Mapped[datetime]


class Lease(Base):
    """Something one instance at a time may hold (a conversation's updates, polling
    Telegram): held while its owner beats, taken over once it has stopped."""

    __tablename__ = "leases"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(32))
    taken_at: Mapped[datetime]
