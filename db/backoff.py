"""Back-off from URLs that keep failing, read from ``fetch_failures``.

A row there is a URL's unbroken run of failures: ``db.load.record_failure`` adds one to
``failures`` each run the fetch fails and ``db.load.archive`` deletes the row when it
succeeds. A URL is fetched at most once a run, so ``failures`` counts the runs in a row it
failed, and ``last_failed_at`` says when the latest was. No column is added for this.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, and_, select

from db.models import FetchFailure

_FAILURES = FetchFailure.__table__
_MAX_DOUBLINGS = 30  # 2**30 days is past any cap: keeps the float finite


def backing_off(
    conn: Connection,
    source_id: int,
    now: datetime,
    *,
    after: int,
    base_days: float,
    max_days: float,
) -> set[str]:
    """The source's URLs to leave out of a run at ``now``.

    A URL that failed in ``after`` or more runs in a row waits ``base_days`` after its
    latest failure, doubled for each failure past ``after``, at most ``max_days``; then it
    is tried again, and one more failure makes it wait twice as long.
    """
    rows = conn.execute(
        select(_FAILURES.c.url, _FAILURES.c.failures, _FAILURES.c.last_failed_at).where(
            and_(_FAILURES.c.source_id == source_id, _FAILURES.c.failures >= after)
        )
    )
    out: set[str] = set()
    for url, failures, last_failed_at in rows:
        # SQLite gives the timestamps back without their zone; they were written in UTC.
        last = last_failed_at if last_failed_at.tzinfo else last_failed_at.replace(tzinfo=UTC)
        days = min(max_days, base_days * 2 ** min(failures - after, _MAX_DOUBLINGS))
        if now < last + timedelta(days=days):
            out.add(url)
    return out
