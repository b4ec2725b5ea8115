"""Alerts: the digest of new operations, source health, Prefect events and the webhook.

Pure rules (tasks/alerts.py) with exact values; then whole runs over the sample site
(SQLite and PostgreSQL) posting to a receiver on 127.0.0.1: the first run's digest, nothing
on an unchanged re-run, a health alert for a source that cannot be read or lists nothing,
and a webhook that is down, answers 500 or is too slow: the run completes, the warehouse is
what it would be, and the message is posted again by the next run.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text

from config.settings import get_settings
from db.engine import get_engine
from tasks.alerts import (
    EVENT_OPERATION_NEW,
    EVENT_SOURCE_RECOVERED,
    EVENT_SOURCE_UNHEALTHY,
    REASON_DISCOVERY,
    REASON_UNREAD,
    REASON_YIELD,
    REASON_ZERO,
    HealthState,
    SourceRun,
    Unhealthy,
    digest,
    event_of,
    health_changes,
    health_message,
    recovery_message,
    source_health,
    yield_drop,
)
from tests.reliability_helpers import Everything

SEED = {
    "id": 3,
    "name": None,
    "title": "Thirty eight arrested in child trafficking week of action",
    "lead_agency": "NCA",
    "theme": "child_exploitation",
    "start_date": None,
    "end_date": None,
    "published": "2021-11-05",
    "arrests": 38,
    "potential_victims": 99,
    "forces_involved": 19,
    "duration_days": 7,
    "nrm_referrals": 55,
    "arrests_per_force": 2,
    "nrm_referral_rate": 0.556,
    "unreferred_victims": 44,
    "victims_children": 72,  # not a digest figure: left out
}
NAMED = {
    "id": 8,
    "name": "Operation Aidant",
    "title": "Labour exploitation week safeguards potential victims",
    "lead_agency": "NCA",
    "start_date": "2018-05-14",
    "end_date": "2018-05-20",
    "published": "2018-05-25",
    "arrests": 91,
    "potential_victims": None,
    "forces_involved": 4,
    "arrests_per_force": 22.75,
}
BARE = {"id": 12, "name": None, "title": None, "published": None}


@pytest.mark.parametrize(
    ("row", "qualifiers", "links", "report_url", "text_lines", "figures", "metrics"),
    [
        (
            SEED,
            {},
            ["https://nca.test/a", "https://news.test/b"],
            "https://reports.test/optally.html",
            [
                "• Thirty eight arrested in child trafficking week of action (NCA, published 2021-11-05)",
                "  arrests 38 · potential victims 99 · forces involved 19 · duration (days) 7"
                " · NRM referrals 55",
                "  arrests per force 2.00 · NRM referral rate 55.6 % · victims not referred to the NRM 44",
                "  sources: https://nca.test/a https://news.test/b",
                "  report card: https://reports.test/optally.html#op-3",
            ],
            {
                "arrests": {"value": 38, "qualifier": "exact"},
                "potential_victims": {"value": 99, "qualifier": "exact"},
                "forces_involved": {"value": 19, "qualifier": "exact"},
                "duration_days": {"value": 7, "qualifier": "exact"},
                "nrm_referrals": {"value": 55, "qualifier": "exact"},
            },
            {
                "arrests_per_force": {"value": 2, "qualifier": "exact"},
                "nrm_referral_rate": {"value": 0.556, "qualifier": "exact"},
                "unreferred_victims": {"value": 44, "qualifier": "exact"},
            },
        ),
        (
            NAMED,
            {"arrests": "more_than", "arrests_per_force": "more_than"},
            ["https://nca.test/aidant"],
            None,
            [
                "• Operation Aidant: Labour exploitation week safeguards potential victims"
                " (NCA, 2018-05-14 to 2018-05-20)",
                "  arrests >91 · forces involved 4",
                "  arrests per force >22.75",
                "  sources: https://nca.test/aidant",
            ],
            {
                "arrests": {"value": 91, "qualifier": "more_than"},
                "forces_involved": {"value": 4, "qualifier": "exact"},
            },
            {"arrests_per_force": {"value": 22.75, "qualifier": "more_than"}},
        ),
        (BARE, {}, [], None, ["• operation 12"], {}, {}),
    ],
)
def test_digest_of_one_operation(
    row: dict[str, Any],
    qualifiers: dict[str, str],
    links: list[str],
    report_url: str | None,
    text_lines: list[str],
    figures: dict[str, Any],
    metrics: dict[str, Any],
) -> None:
    message = digest([row], {row["id"]: qualifiers}, {row["id"]: links}, report_url)
    assert message is not None
    assert message["text"] == "\n".join(["optally: 1 new operation", *text_lines])
    assert (message["kind"], message["total"], message["shown"], message["more"]) == (
        "operations.new",
        1,
        1,
        0,
    )
    (entry,) = message["operations"]
    assert entry["figures"] == figures
    assert entry["metrics"] == metrics
    assert entry["links"] == links
    assert entry["report_card"] == f"{report_url or ''}#op-{row['id']}"
    assert {k: entry[k] for k in ("id", "name", "title", "published")} == {
        k: row.get(k) for k in ("id", "name", "title", "published")
    }
    json.dumps(message)  # the payload is JSON as it is


def test_digest_of_a_backfill_lists_the_20_newest_and_counts_the_rest() -> None:
    rows = [{"id": i, "title": f"Week {i}", "published": f"2020-01-{i:02d}"} for i in range(1, 26)]
    rows.append({"id": 99, "title": "Undated week", "published": None})
    message = digest(rows, {}, {}, None)
    assert message is not None
    assert (message["total"], message["shown"], message["more"]) == (26, 20, 6)
    assert [e["id"] for e in message["operations"]] == list(range(25, 5, -1))
    lines = message["text"].splitlines()
    assert lines[0] == (
        "optally: 26 new operations; the 20 most recently published below, 6 more in the warehouse"
    )
    assert lines[1] == "• Week 25 (published 2020-01-25)"
    assert lines[-1] == "…and 6 more: `optally metrics` lists every operation"
    assert len(lines) == 22
    # The rows given may be only the newest: ``total`` counts them all.
    assert digest(rows[:3], {}, {}, None, total=300)["more"] == 297  # type: ignore[index]
    assert digest([], {}, {}, None) is None


@pytest.mark.parametrize(
    ("readings", "expected"),
    [
        # history 8 of 10 with figures (0.8); window 1 of 5 (0.2 < 0.4): a drop
        ([True] + [False] * 4 + [True] * 8 + [False] * 2, (0.2, 0.8)),
        # window 2 of 5 (0.4, not below 0.4): no drop
        ([True, True] + [False] * 3 + [True] * 8 + [False] * 2, None),
        # nothing in the window has figures, but the history is too short (9 < 10)
        ([False] * 5 + [True] * 9, None),
        # too few pages to judge a window (4 < 5)
        ([False] * 4, None),
        # a source that never had figures has not dropped
        ([False] * 40, None),
        # the history counts at most 100 pages after the window: the oldest are past it
        ([False] * 5 + [True] * 100 + [False] * 500, (0.0, 1.0)),
    ],
)
def test_yield_drop_rule(readings: list[bool], expected: tuple[float, float] | None) -> None:
    assert yield_drop(readings) == expected


NCA = "https://nca.test/news"
HEALTHY_HISTORY = [True] * 20


@pytest.mark.parametrize(
    ("run", "known_pages", "readings", "dated", "expected"),
    [
        (SourceRun("nca", NCA, listed=10, relevant=2), 50, HEALTHY_HISTORY, False, None),
        (
            SourceRun("nca", NCA, discovery_failure=(NCA + "?start=10", "http 500")),
            50,
            [],
            False,
            Unhealthy("nca", NCA + "?start=10", REASON_DISCOVERY, "http 500"),
        ),
        (
            SourceRun("urls", "https://n.test/a", unread=("https://n.test/b", "http 404")),
            3,
            [],
            False,
            Unhealthy("urls", "https://n.test/b", REASON_UNREAD, "http 404"),
        ),
        (
            SourceRun("nca", NCA, listed=0),
            50,
            [],
            False,
            Unhealthy(
                "nca",
                NCA,
                REASON_ZERO,
                "its listings gave no article link; the warehouse holds 50 of its pages",
            ),
        ),
        # a new source that never listed anything, or a run limited to dates: no alert
        (SourceRun("nca", NCA, listed=0), 0, [], False, None),
        (SourceRun("nca", NCA, listed=0), 50, [], True, None),
        (
            SourceRun("nca", NCA, listed=10, relevant=1),
            50,
            [False] * 5 + [True] * 10,
            False,
            Unhealthy(
                "nca",
                NCA,
                REASON_YIELD,
                "0% of its newest 5 relevant pages have figures, against 100% of the 10 before them",
            ),
        ),
        # the same readings on a run that read no new page: said already, not again
        (SourceRun("nca", NCA, listed=10, relevant=0), 50, [False] * 5 + [True] * 10, False, None),
    ],
)
def test_source_health_rules(
    run: SourceRun, known_pages: int, readings: list[bool], dated: bool, expected: Unhealthy | None
) -> None:
    assert source_health(run, known_pages, readings, dated) == expected


T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
BROKEN = Unhealthy("nca", NCA, REASON_DISCOVERY, "http 500")


def _state(reason: str = REASON_DISCOVERY, since: datetime = T0, alerted: datetime = T0):  # type: ignore[no-untyped-def]
    return HealthState("nca", reason, NCA, "http 500", since, alerted)


@pytest.mark.parametrize(
    ("problems", "states", "now", "repeat", "alerted", "kept_since", "quiet", "recovered"),
    [
        # newly unhealthy: named, remembered since now
        ([BROKEN], {}, T0, DAY, ["nca"], [T0], [], []),
        # the same reason an hour after a message named it: quiet
        ([BROKEN], {"nca": _state()}, T0 + timedelta(hours=1), DAY, [], [], ["nca"], []),
        # the same reason a day later: named again, still unhealthy since the first time
        ([BROKEN], {"nca": _state()}, T0 + DAY, DAY, ["nca"], [T0], [], []),
        # repeat 0: named on every run
        (
            [BROKEN],
            {"nca": _state()},
            T0 + timedelta(minutes=5),
            timedelta(0),
            ["nca"],
            [T0],
            [],
            [],
        ),
        # a new reason: named at once, unhealthy since now
        (
            [BROKEN],
            {"nca": _state(REASON_ZERO)},
            T0 + timedelta(hours=1),
            DAY,
            ["nca"],
            [T0 + timedelta(hours=1)],
            [],
            [],
        ),
        # healthy on a run that could judge its reason: recovered
        ([], {"nca": _state()}, T0 + timedelta(hours=3), DAY, [], [], [], ["nca"]),
        # a yield drop is judged only on a run that read new relevant pages: no recovery
        ([], {"nca": _state(REASON_YIELD)}, T0 + timedelta(hours=3), DAY, [], [], [], []),
    ],
)
def test_health_changes(
    problems: list[Unhealthy],
    states: dict[str, HealthState],
    now: datetime,
    repeat: timedelta,
    alerted: list[str],
    kept_since: list[datetime],
    quiet: list[str],
    recovered: list[str],
) -> None:
    runs = [SourceRun("nca", NCA, listed=3, relevant=0)]
    got = health_changes(runs, problems, states, now, repeat, dated=False)
    assert [p.source for p in got.alert] == alerted
    assert [k.since for k in got.keep] == kept_since
    assert all(k.alerted_at == now for k in got.keep)
    assert [q.source for q in got.quiet] == quiet
    assert [r.source for r in got.recovered] == recovered


def test_a_dated_run_says_nothing_of_a_source_that_listed_nothing() -> None:
    runs = [SourceRun("nca", NCA, listed=0)]
    states = {"nca": _state(REASON_ZERO)}
    assert health_changes(runs, [], states, T0 + DAY, DAY, dated=True).recovered == ()
    assert [r.source for r in health_changes(runs, [], states, T0 + DAY, DAY, False).recovered] == [
        "nca"
    ]


def test_recovery_message() -> None:
    message = recovery_message([_state()], T0 + timedelta(days=3))
    assert message == {
        "kind": "sources.recovered",
        "text": "optally: 1 source healthy again\n"
        "• nca: discovery failed since 2026-12-01 06:00 UTC, for 3 days",
        "sources": [
            {"source": "nca", "reason": "discovery failed", "since": "2026-12-01T06:00:00+00:00"}
        ],
    }
    assert event_of(message)[0] == EVENT_SOURCE_RECOVERED
    assert recovery_message([], T0) is None


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_health_states_are_remembered_and_forgotten(db_url: str) -> None:
    from db.alerts import health_states, save_health

    engine = get_engine(db_url)
    row = {
        "source": "nca",
        "reason": REASON_DISCOVERY,
        "url": NCA,
        "detail": "http 500",
        "since": T0,
        "alerted_at": T0,
    }
    with engine.begin() as conn:
        save_health(conn, [row], [])
        save_health(conn, [dict(row, alerted_at=T0 + DAY)], [])  # named again: updated
    with engine.connect() as conn:
        (got,) = health_states(conn, ["nca", "bbc"])
    assert (got["reason"], got["alerted_at"].replace(tzinfo=UTC)) == (REASON_DISCOVERY, T0 + DAY)
    with engine.begin() as conn:
        save_health(conn, [], ["nca"])
    with engine.connect() as conn:
        assert health_states(conn, ["nca"]) == []


def test_health_message_names_each_source_its_url_and_reason() -> None:
    problems = [
        Unhealthy("nca", NCA, REASON_DISCOVERY, "http 403"),
        Unhealthy("bbc", "https://bbc.test/rss", REASON_ZERO, "no link"),
    ]
    message = health_message(problems)
    assert message == {
        "kind": "sources.unhealthy",
        "text": "optally: 2 sources unhealthy\n"
        "• nca: discovery failed: http 403 (https://nca.test/news)\n"
        "• bbc: no articles listed: no link (https://bbc.test/rss)",
        "sources": [
            {"source": "nca", "url": NCA, "reason": "discovery failed", "detail": "http 403"},
            {
                "source": "bbc",
                "url": "https://bbc.test/rss",
                "reason": "no articles listed",
                "detail": "no link",
            },
        ],
    }
    assert health_message([]) is None
    assert event_of(message) == (
        EVENT_SOURCE_UNHEALTHY,
        [
            {
                "prefect.resource.id": "optally.source.nca",
                "prefect.resource.role": "source",
                "prefect.resource.name": "nca",
            },
            {
                "prefect.resource.id": "optally.source.bbc",
                "prefect.resource.role": "source",
                "prefect.resource.name": "bbc",
            },
        ],
    )


# --------------------------------------------------------------------------- whole runs


class Receiver:
    """A webhook on 127.0.0.1: keeps each JSON body posted; ``mode`` "ok", "500" or
    "slow" (answers after ``delay`` seconds)."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, Any]]] = []
        self.mode = "ok"
        self.delay = 2.0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if outer.mode == "slow":
                    time.sleep(outer.delay)
                outer.posts.append((self.path, json.loads(body)))
                self.send_response(500 if outer.mode == "500" else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


TOKEN = "T0KEN-5ec12e7"  # a webhook URL's secret part: never in logs, rows or summaries


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Point OPTALLY_ALERT_WEBHOOK (and other alert settings) somewhere for this test."""

    def point(url: str | None, **more: str) -> None:
        if url is None:
            monkeypatch.delenv("OPTALLY_ALERT_WEBHOOK", raising=False)
        else:
            monkeypatch.setenv("OPTALLY_ALERT_WEBHOOK", url)
        for k, v in more.items():
            monkeypatch.setenv(f"OPTALLY_{k.upper()}", v)
        get_settings.cache_clear()

    yield point
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The Prefect events the notify stage emits, as emit_event's keyword arguments."""
    import tasks.notify

    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(tasks.notify, "emit_event", lambda **kw: seen.append(kw))
    return seen


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


SEED_TITLE = (
    "Thirty eight arrested and 99 potential victims identified in UK-wide child trafficking "
    "week of action"
)
SEED_SLUG = "thirty-eight-arrested-in-uk-wide-child-trafficking-week-of-action"
SEED_TEXT = "\n".join(
    [
        f"• {SEED_TITLE} (NCA, published 2021-11-05)",
        "  arrests 38 · potential victims 99 · forces involved 19 · duration (days) 7"
        " · NRM referrals 55",
        "  arrests per force 2.00 · NRM referral rate 55.6 % · victims not referred to the NRM 44",
    ]
)


def seed_entry(message: dict[str, Any]) -> dict[str, Any]:
    (entry,) = [e for e in message["operations"] if e["title"] == SEED_TITLE]
    return entry


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_first_run_posts_its_new_operations_and_an_unchanged_rerun_posts_nothing(
    db_url: str,
    sample_site: Any,
    tmp_path: Path,
    receiver: Receiver,
    webhook: Any,
    events: list[dict[str, Any]],
) -> None:
    from app.demo import write_demo_sources
    from flows.etl import etl

    webhook(f"{receiver.url}/hook/{TOKEN}", alert_report_url="https://reports.test/r.html")
    sources = str(write_demo_sources(sample_site, tmp_path))
    first = etl(sources_file=sources, db_url=db_url)
    assert first["alerts"] == {
        "new_operations": 9,
        "unhealthy_sources": [],
        "recovered_sources": [],
        "delivered": 1,
        "delivery_pending": 0,
        "delivery_failed": 0,
    }
    ((path, message),) = receiver.posts
    assert path == f"/hook/{TOKEN}"
    assert (message["kind"], message["total"], message["shown"], message["more"]) == (
        "operations.new",
        9,
        9,
        0,
    )
    assert message["text"].startswith("optally: 9 new operations\n• ")
    entry = seed_entry(message)
    assert SEED_TEXT in message["text"]
    assert f"  report card: https://reports.test/r.html#op-{entry['id']}" in message["text"]
    assert entry["links"] == [
        "https://sample.optally.test/news/thirty-eight-arrested-in-uk-wide-child-trafficking-week-of-action",
        "https://sample.optally.test/local-news/child-trafficking-week-just-two-arrests-per-force",
    ]
    assert entry["metrics"] == {
        "arrests_per_force": {"value": 2, "qualifier": "exact"},
        "nrm_referral_rate": {"value": 0.556, "qualifier": "exact"},
        "unreferred_victims": {"value": 44, "qualifier": "exact"},
    }
    # The Prefect event carries the same payload, about each operation it names.
    (event,) = events
    assert event["event"] == EVENT_OPERATION_NEW
    assert event["payload"] == message
    assert event["resource"] == {
        "prefect.resource.id": "optally.alerts",
        "prefect.resource.name": "optally",
    }
    assert len(event["related"]) == 9
    assert rows(db_url, "SELECT COUNT(*), COUNT(delivery_id) FROM alert_announcements") == [(9, 9)]
    assert rows(db_url, "SELECT kind, status, attempts, last_error FROM alert_deliveries") == [
        ("operations.new", "sent", 1, None)
    ]
    # The health rules read the source's readings (too few to judge a yield yet).
    from db.alerts import readings

    with get_engine(db_url).connect() as conn:
        assert readings(conn, "nca-demo", 200, {"operation", "international"}) == [True] * 9

    # An unchanged re-run: no post, no event, no new row.
    second = etl(sources_file=sources, db_url=db_url)
    assert "alerts" not in second
    assert len(receiver.posts) == 1 and len(events) == 1
    assert rows(db_url, "SELECT COUNT(*) FROM alert_deliveries") == [(1,)]
    assert rows(db_url, "SELECT COUNT(*) FROM alert_announcements") == [(9,)]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_a_source_that_cannot_be_read_or_lists_nothing_raises_a_health_alert(
    sqlite_url: str,
    sample_site: Any,
    tmp_path: Path,
    receiver: Receiver,
    webhook: Any,
    events: list[dict[str, Any]],
) -> None:
    from app.demo import write_demo_sources
    from flows.etl import etl

    webhook(f"{receiver.url}/hook/{TOKEN}")
    sources_file = write_demo_sources(sample_site, tmp_path)
    etl(sources_file=str(sources_file), db_url=sqlite_url)
    receiver.posts.clear()
    events.clear()
    config = yaml.safe_load(sources_file.read_text(encoding="utf-8"))
    nca = config["sources"][0]
    original = nca["start_url"]

    # The listing answers 404: discovery failed.
    nca["start_url"] = f"{sample_site.base_url}/no-such-listing"
    sources_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    summary = etl(sources_file=str(sources_file), db_url=sqlite_url)
    assert summary["alerts"]["unhealthy_sources"] == ["nca-demo"]
    ((_, message),) = receiver.posts
    assert message == {
        "kind": "sources.unhealthy",
        "text": f"optally: 1 source unhealthy\n• nca-demo: discovery failed: http 404"
        f" ({sample_site.base_url}/no-such-listing)",
        "sources": [
            {
                "source": "nca-demo",
                "url": f"{sample_site.base_url}/no-such-listing",
                "reason": "discovery failed",
                "detail": "http 404",
            }
        ],
    }
    assert [(e["event"], e["payload"]) for e in events] == [(EVENT_SOURCE_UNHEALTHY, message)]

    # The layout changed: the listing is read and gives no article link.
    changed = f"{sample_site.base_url}/news/{SEED_SLUG}"
    nca["start_url"] = changed
    sources_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    summary = etl(sources_file=str(sources_file), db_url=sqlite_url)
    assert summary["alerts"]["unhealthy_sources"] == ["nca-demo"]
    assert receiver.posts[-1][1]["sources"] == [
        {
            "source": "nca-demo",
            "url": changed,
            "reason": "no articles listed",
            "detail": "its listings gave no article link; the warehouse holds 9 of its pages",
        }
    ]

    # Still broken on the next run: it is unhealthy, but no message names it again today.
    posts, emitted = len(receiver.posts), len(events)
    summary = etl(sources_file=str(sources_file), db_url=sqlite_url)
    assert summary["alerts"]["unhealthy_sources"] == ["nca-demo"]
    assert (len(receiver.posts), len(events)) == (posts, emitted)

    # Mended: one message says it is healthy again, and the state is forgotten.
    nca["start_url"] = original
    sources_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    summary = etl(sources_file=str(sources_file), db_url=sqlite_url)
    assert summary["alerts"]["recovered_sources"] == ["nca-demo"]
    assert summary["alerts"]["unhealthy_sources"] == []
    message = receiver.posts[-1][1]
    assert message["kind"] == "sources.recovered"
    assert [s["source"] for s in message["sources"]] == ["nca-demo"]
    assert events[-1]["event"] == EVENT_SOURCE_RECOVERED
    assert rows(sqlite_url, "SELECT COUNT(*) FROM source_alerts") == [(0,)]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_with_no_repeat_interval_a_broken_source_is_named_on_every_run(
    sqlite_url: str,
    sample_site: Any,
    tmp_path: Path,
    receiver: Receiver,
    webhook: Any,
    events: list[dict[str, Any]],
) -> None:
    from app.demo import write_demo_sources
    from flows.etl import etl

    webhook(f"{receiver.url}/hook/{TOKEN}", alert_repeat_hours="0")
    sources_file = write_demo_sources(sample_site, tmp_path)
    config = yaml.safe_load(sources_file.read_text(encoding="utf-8"))
    config["sources"][0]["start_url"] = f"{sample_site.base_url}/no-such-listing"
    sources_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    for _ in range(2):
        etl(sources_file=str(sources_file), db_url=sqlite_url)
    health = [m for _, m in receiver.posts if m["kind"] == "sources.unhealthy"]
    assert len(health) == 2


def _refused_url() -> str:
    with socket.socket() as s:  # a port nothing listens on once closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


WAREHOUSE = ("pages", "articles", "figures", "operations", "operation_figures", "metric_values")


def warehouse(url: str) -> dict[str, list[tuple[Any, ...]]]:
    return {t: rows(url, f"SELECT * FROM {t} ORDER BY id") for t in WAREHOUSE}


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("trouble", ["refused", "500", "slow"])
def test_a_webhook_down_never_fails_the_run_and_gets_the_message_next_run(
    trouble: str,
    db_url: str,
    sample_site: Any,
    tmp_path: Path,
    receiver: Receiver,
    webhook: Any,
    events: list[dict[str, Any]],
    all_logs: Everything,
) -> None:
    from app.demo import write_demo_sources
    from flows.etl import etl

    good = f"{receiver.url}/hook/{TOKEN}"
    if trouble == "refused":
        webhook(f"{_refused_url()}/hook/{TOKEN}")
    else:
        receiver.mode = trouble
        receiver.delay = 2.0
        webhook(good, alert_timeout="0.5")
    sources = str(write_demo_sources(sample_site, tmp_path))
    state = etl(sources_file=sources, db_url=db_url, return_state=True)
    assert state.is_completed()
    first = state.result()
    assert (first["fetched"], first["failed"]) == (11, 0)
    assert first["alerts"] == {
        "new_operations": 9,
        "unhealthy_sources": [],
        "recovered_sources": [],
        "delivered": 0,
        "delivery_pending": 1,
        "delivery_failed": 0,
    }
    error = {"refused": "ConnectionError", "500": "http 500", "slow": "ReadTimeout"}[trouble]
    assert rows(db_url, "SELECT status, attempts, last_error FROM alert_deliveries") == [
        ("pending", 1, error)
    ]
    assert len(events) == 1  # the Prefect event goes out whatever the webhook does
    before = warehouse(db_url)
    assert rows(db_url, "SELECT COUNT(*) FROM operations") == [(9,)]

    # The next run (nothing new on the site) posts the pending digest and changes nothing else.
    time.sleep(2.5 if trouble == "slow" else 0)  # the slow receiver's first answer is done
    receiver.posts.clear()
    receiver.mode = "ok"
    webhook(good)
    second = etl(sources_file=sources, db_url=db_url)
    assert second["alerts"] == {
        "new_operations": 0,
        "unhealthy_sources": [],
        "recovered_sources": [],
        "delivered": 1,
        "delivery_pending": 0,
        "delivery_failed": 0,
    }
    ((_, message),) = receiver.posts
    assert (message["kind"], message["total"]) == ("operations.new", 9)
    assert SEED_TEXT in message["text"]
    assert rows(db_url, "SELECT status, attempts, last_error FROM alert_deliveries") == [
        ("sent", 2, None)
    ]
    assert warehouse(db_url) == before
    assert len(events) == 1
    # The webhook's token is in no log line, stored row or summary.
    assert TOKEN not in "\n".join(all_logs.lines)
    assert TOKEN not in repr(rows(db_url, "SELECT * FROM alert_deliveries"))
    assert TOKEN not in json.dumps([first, second])
    assert TOKEN not in repr(get_settings())
