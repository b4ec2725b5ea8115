"""The warehouse schema: one DeclarativeBase, SQLAlchemy 2.x style.

Claims are append-only: a changed page gets a new page_version, a new article
and new figure rows, and the old figures are closed with ``superseded_at``.
Reconciled values (operation_figures) and metric_values are derived from the
claims and rebuilt for the operations a run touches.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Source(Base):
    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    profile: Mapped[str] = mapped_column(String(20))
    start_url: Mapped[str | None] = mapped_column(Text)
    official: Mapped[bool] = mapped_column(Boolean, default=True)


class Page(Base):
    """One page, however it was reached, and its crawl state: what conditional GET needs next
    time. ``url`` is the page's identity (domain/urls.py page_identity): its declared
    canonical URL when the source allows it, else the URL normalised. ``fetched_url`` is the
    URL it was last asked for (0003; NULL: keyed before 0003, re-keyed by the next run of
    its source, db/identity.py)."""

    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    fetched_url: Mapped[str | None] = mapped_column(Text, index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    http_status: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    listed_title: Mapped[str | None] = mapped_column(Text)
    listed_date: Mapped[date | None] = mapped_column(Date)


class PageVersion(Base):
    """The raw archive: every distinct body a URL served, compressed, with its headers."""

    __tablename__ = "page_versions"
    __table_args__ = (UniqueConstraint("page_id", "content_hash"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    final_url: Mapped[str] = mapped_column(Text)
    http_status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(Text)
    encoding: Mapped[str | None] = mapped_column(String(40))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    headers_json: Mapped[str] = mapped_column(Text)
    body_gz: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    # A body read from a web archive (0006): the WARC/ARC file or the Wayback capture URL,
    # the record's byte offset in that file, and when the archive captured the page. NULL
    # for bodies fetched from the live site.
    capture_archive: Mapped[str | None] = mapped_column(Text)
    capture_offset: Mapped[int | None] = mapped_column(BigInteger)
    capture_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FetchFailure(Base):
    """The latest failure of a URL that has not been fetched since; retried next run."""

    __tablename__ = "fetch_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    http_status: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    failures: Mapped[int] = mapped_column(Integer, default=1)
    first_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Operation(Base):
    __tablename__ = "operations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    lead_agency: Mapped[str | None] = mapped_column(Text)
    theme: Mapped[str | None] = mapped_column(String(40))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    first_published: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id"))
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    # Set by `optally operations merge`: this operation's pages now belong to that one (0002).
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("operations.id"))


class Article(Base):
    """One page version read by one parser version."""

    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("version_id", "parser_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("page_versions.id"))
    parser_version: Mapped[str] = mapped_column(String(20))
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date)
    publisher: Mapped[str | None] = mapped_column(Text)
    official: Mapped[bool] = mapped_column(Boolean, default=True)
    relevant: Mapped[bool] = mapped_column(Boolean, default=True)
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(String(20), default="")
    op_name: Mapped[str | None] = mapped_column(Text)
    lead_agency: Mapped[str | None] = mapped_column(Text)
    theme: Mapped[str | None] = mapped_column(String(40))
    op_start: Mapped[date | None] = mapped_column(Date)
    op_end: Mapped[date | None] = mapped_column(Date)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Figure(Base):
    """A claim: what one article said about one metric in one scope."""

    __tablename__ = "figures"
    __table_args__ = (UniqueConstraint("article_id", "scope", "metric", "subject"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    scope: Mapped[str] = mapped_column(String(20))
    metric: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[float] = mapped_column(Float)
    qualifier: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[str] = mapped_column(Text)
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    parser_version: Mapped[str] = mapped_column(String(20))
    # How far to trust it, in [0, 1] (the extractor's confidence model); NULL for claims
    # read before migration 0005.
    confidence: Mapped[float | None] = mapped_column(Float)


class ArrestBreakdown(Base):
    __tablename__ = "arrest_breakdowns"
    __table_args__ = (UniqueConstraint("article_id", "offence"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    offence: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text, default="")


class OperationFigure(Base):
    """The reconciled value per (operation, scope, metric), and which claim it came from."""

    __tablename__ = "operation_figures"
    __table_args__ = (UniqueConstraint("operation_id", "scope", "metric"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), index=True)
    scope: Mapped[str] = mapped_column(String(20))
    metric: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    qualifier: Mapped[str] = mapped_column(String(20))
    figure_id: Mapped[int] = mapped_column(ForeignKey("figures.id"))
    claims: Mapped[int] = mapped_column(Integer)
    conflict: Mapped[bool] = mapped_column(Boolean, default=False)


class MetricValue(Base):
    __tablename__ = "metric_values"
    __table_args__ = (UniqueConstraint("operation_id", "metric"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), index=True)
    metric: Mapped[str] = mapped_column(String(60))
    value: Mapped[float | None] = mapped_column(Float)
    qualifier: Mapped[str | None] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    formula: Mapped[str] = mapped_column(Text)


class QualityCheck(Base):
    __tablename__ = "quality_checks"
    __table_args__ = (UniqueConstraint("operation_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    passed: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text)


# --- 0002: forces, manual operation decisions, official NRM context -------------------


class Force(Base):
    """A UK police force or agency (config/forces.json); slugs are data.police.uk ids where they exist."""

    __tablename__ = "forces"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))  # territorial, national, special
    country: Mapped[str] = mapped_column(String(40))


class ForceAlias(Base):
    """A normalised spelling (domain.forces.normalise) that names one force."""

    __tablename__ = "force_aliases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alias: Mapped[str] = mapped_column(String(200), unique=True)
    force_id: Mapped[int] = mapped_column(ForeignKey("forces.id"), index=True)


class ArticleForce(Base):
    """A force name as one article wrote it, and the force it was matched to (NULL: unknown)."""

    __tablename__ = "article_forces"
    __table_args__ = (UniqueConstraint("article_id", "written"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    written: Mapped[str] = mapped_column(String(200))
    force_id: Mapped[int | None] = mapped_column(ForeignKey("forces.id"))


class OperationForce(Base):
    """The forces an operation's current articles name; rebuilt whenever its pages change."""

    __tablename__ = "operation_forces"
    __table_args__ = (UniqueConstraint("operation_id", "force_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), index=True)
    force_id: Mapped[int] = mapped_column(ForeignKey("forces.id"))


class OperationOverride(Base):
    """A manual decision pinning a page to an operation. Append-only: the newest row per page rules."""

    __tablename__ = "operation_overrides"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"))
    previous_operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id"))
    action: Mapped[str] = mapped_column(String(20))  # merge, split
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NrmStatistic(Base):
    """NRM referrals per quarter and age group, as one GOV.UK release's ODS tables give them."""

    __tablename__ = "nrm_statistics"
    __table_args__ = (UniqueConstraint("year", "quarter", "age_group", "source_url"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    age_group: Mapped[str] = mapped_column(String(20))  # adult, child, unknown
    referrals: Mapped[int] = mapped_column(Integer)
    source_url: Mapped[str] = mapped_column(Text)
    release_title: Mapped[str | None] = mapped_column(Text)
    release_published: Mapped[date | None] = mapped_column(Date)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PendingDerivation(Base):
    """An operation whose claims changed and whose derived rows (reconciled figures,
    metrics, checks, facts, forces, parent) are not yet rebuilt from them.

    The load stage adds a row in the transaction that writes the claims; the derive stage
    removes it in the transaction that rebuilds the derived rows. A run stopped between
    the two leaves the row, and the next derive (of any run) rebuilds that operation."""

    __tablename__ = "pending_derivations"
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Abstention(Base):
    """A figure an article's reading found but did not report: the extractor's confidence
    that it is the operation's own was under its threshold. Never reconciled; kept with its
    evidence and reason so a reader can check what was left out."""

    __tablename__ = "abstentions"
    __table_args__ = (UniqueConstraint("article_id", "ordinal"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)  # its place in the reading's list
    scope: Mapped[str] = mapped_column(String(20))
    metric: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    qualifier: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[str] = mapped_column(Text)
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)


class AlertDelivery(Base):
    """A message for the alert webhook (tasks/notify.py): its JSON, whether it reached the
    webhook, and the tries. A pending one is posted again by the next run, at most
    tasks.notify.MAX_DELIVERY_ATTEMPTS times. ``last_error`` is an HTTP status or an
    exception's class name, never the URL (it may hold a token)."""

    __tablename__ = "alert_deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # operations.new | sources.unhealthy
    payload: Mapped[str] = mapped_column(Text)  # the JSON posted
    status: Mapped[str] = mapped_column(String(20), index=True)  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)


class AlertAnnouncement(Base):
    """An operation a digest announced: it is never announced again. ``delivery_id`` is the
    digest's webhook delivery (NULL without a webhook, or for the operations a warehouse
    held when migration 0007 added alerts)."""

    __tablename__ = "alert_announcements"
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), primary_key=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("alert_deliveries.id"))
    announced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SourceAlert(Base):
    """An unhealthy source's remembered state (migration 0009, tasks/alerts.py
    health_changes): the reason, since when, and when a message last named it. The row goes
    when the source recovers."""

    __tablename__ = "source_alerts"
    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    reason: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    alerted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FollowupLink(Base):
    """A follow-up page (tasks/figures/followup.py: later charges, convictions, sentences of
    people arrested earlier) and the operation it reports on (migration 0008). One row per
    follow-up page; ``operation_id`` NULL while no operation matches (unlinked, and shown
    as such). ``method`` says how the link was made (``name``, ``week``, ``manual``, or
    ``none``), ``evidence`` the sentence it rests on. ``manual`` rows were set by a person
    (`optally operations link` / `unlink`) and are never relinked by a run."""

    __tablename__ = "followup_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), unique=True)
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[str | None] = mapped_column(Text)
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
