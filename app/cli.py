"""The `optally` command. Each subcommand imports what it needs, so `extract` stays quick."""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Offline, Prefect's telemetry only produces errors and a spurious "database is locked".
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


class UserError(Exception):
    """Bad input: reported as one line on stderr with exit status 2."""


class Stopped(KeyboardInterrupt):
    """SIGINT or SIGTERM asked the command to stop. A KeyboardInterrupt, so everything on
    the way out (Prefect's engine, the flow cancelling its fetches) treats either signal
    as a Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {value!r} (expected YYYY-MM-DD)") from None


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not a usage dump
        print(f"optally: error: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="optally", description="Hold 'week of action' figures to account.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def db_opt(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--db",
            metavar="URL",
            help="warehouse URL (default: $OPTALLY_DATABASE_URL or sqlite:///data/optally.db)",
        )

    sp = sub.add_parser(
        "demo", help="serve the bundled sample site and run the full flow against it, offline"
    )
    db_opt(sp)
    sp.add_argument(
        "--port",
        type=int,
        default=None,
        help="port for the sample site (default: 8765, else the next free one)",
    )

    sp = sub.add_parser("run", help="one ETL flow run over the configured sources")
    db_opt(sp)
    sp.add_argument("--sources", metavar="FILE", help="sources file (default: config/sources.yaml)")
    sp.add_argument(
        "--since", type=_date, metavar="YYYY-MM-DD", help="skip articles published before this day"
    )
    sp.add_argument(
        "--until", type=_date, metavar="YYYY-MM-DD", help="skip articles published after this day"
    )
    sp.add_argument(
        "--max-pages", type=_positive, metavar="N", help="read at most N listing pages per source"
    )
    sp.add_argument(
        "--schedule",
        choices=["daily", "backfill", "both"],
        default="both",
        help="which sources to use: those for daily runs, for backfills, or all",
    )
    sp.add_argument("--only", nargs="+", metavar="NAME", help="only these sources")
    sp.add_argument(
        "--full-sweep",
        action="store_true",
        help="walk every listing to its end and ask again for every known article "
        "(corrections of old pages); a run otherwise asks for new and recent ones "
        "($OPTALLY_RECHECK_DAYS, 30)",
    )
    sp.add_argument(
        "--task-runner",
        choices=["threads", "dask"],
        help="run fetch and extract in threads (default) or on Dask ($OPTALLY_TASK_RUNNER)",
    )
    sp.add_argument(
        "--dask-address",
        metavar="tcp://HOST:PORT",
        help="an existing Dask scheduler (implies --task-runner dask; default: a local cluster)",
    )

    sp = sub.add_parser("extract", help="print the figures of one page (touches no database)")
    sp.add_argument("page", metavar="PAGE", help="a saved HTML file, or an http(s) URL")
    sp.add_argument("--url", help="the page's URL, to choose the source rules for a saved file")
    from profiles import NAMES as profile_names  # the registry alone: no profile module

    sp.add_argument("--profile", choices=profile_names, help="force a page profile")
    sp.add_argument("--format", choices=["json", "table"], default="json")

    sp = sub.add_parser("metrics", help="print every operation's figures and derived metrics")
    db_opt(sp)
    sp.add_argument("--format", choices=["table", "csv", "json"], default="table")

    sp = sub.add_parser(
        "add", help="fetch and extract pages you name by hand (recorded under source 'manual')"
    )
    db_opt(sp)
    sp.add_argument("urls", nargs="+", metavar="URL", help="http(s) URLs of articles")
    sp.add_argument(
        "--allow-private",
        action="store_true",
        help="allow hosts on private or loopback addresses (a local mirror)",
    )

    sp = sub.add_parser(
        "reparse", help="re-extract every archived page with the current parser, no network"
    )
    db_opt(sp)
    sp.add_argument("--sources", metavar="FILE", help="sources file whose keyword filters apply")

    sp = sub.add_parser(
        "import-warc", help="load the HTML pages of WARC or ARC files (web archives), no network"
    )
    db_opt(sp)
    sp.add_argument("files", nargs="+", metavar="FILE", help="WARC or ARC files, gzip or not")
    sp.add_argument(
        "--source",
        metavar="NAME",
        help="the source every page goes under (default: the configured source whose "
        "articles include its URL, else 'warc')",
    )
    sp.add_argument("--sources", metavar="FILE", help="sources file (default: config/sources.yaml)")

    sp = sub.add_parser("report", help="write the HTML report (one self-contained file)")
    db_opt(sp)
    sp.add_argument("--out", required=True, metavar="FILE.html", help="where to write the report")

    sp = sub.add_parser("export", help="write the stable views and the claims as CSV or Parquet")
    db_opt(sp)
    sp.add_argument("--format", choices=["csv", "parquet"], default="csv")
    sp.add_argument("--out", required=True, metavar="DIR", help="directory for one file per view")

    sp = sub.add_parser(
        "serve", help="serve the deployments with their schedules to the Prefect API (make ui)"
    )
    db_opt(sp)
    sp.add_argument(
        "--sources", metavar="FILE", help="sources file preset on the daily and backfill runs"
    )

    sp = sub.add_parser(
        "operations", help="list operations; merge or split them, link follow-ups, by hand"
    )
    osub = sp.add_subparsers(dest="operations_command", required=True, parser_class=_Parser)
    op = osub.add_parser("list", help="every operation with its pages, forces, parent, merges")
    db_opt(op)
    op.add_argument("--format", choices=["table", "json"], default="table")
    op = osub.add_parser("merge", help="move every page of the other operations into the first one")
    db_opt(op)
    op.add_argument(
        "ids", nargs="+", type=_positive, metavar="ID", help="target first, then others"
    )
    op = osub.add_parser("split", help="move some pages of an operation into a new operation")
    db_opt(op)
    op.add_argument("id", type=_positive, metavar="ID")
    op.add_argument(
        "--page", nargs="+", required=True, metavar="URL", help="URLs of the pages to move"
    )
    op = osub.add_parser("link", help="link a follow-up page to an operation by hand")
    db_opt(op)
    op.add_argument("page", metavar="PAGE", help="URL of the follow-up page")
    op.add_argument("operation", type=_positive, metavar="OPERATION", help="operation id")
    op = osub.add_parser("unlink", help="unlink a follow-up page from any operation by hand")
    db_opt(op)
    op.add_argument("page", metavar="PAGE", help="URL of the follow-up page")
    return p


# A reader that stopped reading (`optally metrics | head`): what Python itself and rich
# (the tables) exit with on a broken pipe.
EXIT_BROKEN_PIPE = 1


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_BROKEN_PIPE


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush of what is still
    buffered does not fail again on the closed pipe ("Exception ignored ...")."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test's capture)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _nothing_read(exc: BaseException) -> bool:
    """Whether ``exc`` is the flow's NothingRead (flows.etl is loaded only by a crawl)."""
    etl = sys.modules.get("flows.etl")
    return etl is not None and isinstance(exc, etl.NothingRead)


def _main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from config.sources import SourcesError
    from db.engine import DatabaseError

    try:
        with _password_through_environment(args), _one_line_in_run_logs():
            return COMMANDS[args.command](args)
    except (UserError, SourcesError, DatabaseError, FileNotFoundError) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"optally: error: {msg}", file=sys.stderr)
        return 2
    except Exception as exc:
        if _nothing_read(exc):  # every source failed: the summary names each URL and why
            print_summary(exc.summary)  # type: ignore[attr-defined]
            print(f"optally: error: {exc}", file=sys.stderr)
            return 1
        # The warehouse failed under the command (read-only, locked past the busy timeout,
        # disk full, connection lost): one line, not a traceback. What committed stays.
        from db.engine import environment_error, is_environment_error, resolve_url

        if not is_environment_error(exc):
            raise
        url = resolve_url(getattr(args, "db", None))
        print(f"optally: error: {environment_error(exc, url)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", signal.SIGINT)
        print(f"optally: {_stop_message(signum)}", file=sys.stderr)
        return 128 + signum  # as a shell reports a process a signal ended: 130, 143


def _stop_message(signum: int) -> str:
    return f"stopped by {signal.Signals(signum).name}; the next run carries on from here"


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM stop the command: ``Stopped`` is raised in the main thread, so
    the stack unwinds. The flow cancels its requests in flight, the batch being fetched
    archives what it got, open transactions roll back, the temporary Prefect API stops;
    ``main`` prints one line and returns 130 or 143. A second signal ends the process at
    once.

    During a flow run Prefect holds SIGTERM itself: it raises its TerminationSignal (also
    not an Exception, so the flow cancels its fetches the same way) and hands the signal
    on to this handler once the flow has unwound.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be installed from the main thread
        return
    received: list[int] = []

    def stop(signum: int, frame: object) -> None:
        if received:  # asked twice: do not wait for the unwinding
            print(f"optally: {_stop_message(signum)}", file=sys.stderr, flush=True)
            os._exit(128 + signum)
        received.append(signum)
        raise Stopped(signum)

    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:  # swallowed on the way: Prefect ignores one that lands after the flow ended
        raise Stopped(received[0])


RUN_LOGGERS = ("prefect.task_runs", "prefect.flow_runs")


class _NoTraceback(logging.Filter):
    """Drops the traceback from a log record whose exception ``says_it_all``."""

    def __init__(self, says_it_all: Callable[[BaseException], bool]) -> None:
        super().__init__()
        self.says_it_all = says_it_all

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and self.says_it_all(exc):
            record.exc_info = record.exc_text = None
        return True


@contextlib.contextmanager
def _one_line_in_run_logs() -> Iterator[None]:
    """Prefect logs a failed task or flow run with its traceback. For an error of the
    warehouse itself (read-only, locked, disk full: db.engine.is_environment_error) the
    run's log keeps the message line, and ``main`` ends with one line of its own."""
    from db.engine import is_environment_error

    loggers = [logging.getLogger(name) for name in RUN_LOGGERS]
    no_traceback = _NoTraceback(lambda exc: is_environment_error(exc) or _nothing_read(exc))
    for logger in loggers:
        logger.addFilter(no_traceback)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(no_traceback)


@contextlib.contextmanager
def _password_through_environment(args: argparse.Namespace) -> Iterator[None]:
    """Hand a ``--db`` URL that holds a password to the command through
    $OPTALLY_DATABASE_URL rather than as ``args.db``.

    Prefect stores flow-run and deployment parameters in its API and shows them in the UI,
    and every command passes ``args.db`` on as the ``db_url`` parameter; this process's
    tasks (and the runs `optally serve` starts) read the variable instead. Restored after
    the command, so a caller of ``main`` (the tests) keeps its own environment.
    """
    url = getattr(args, "db", None)
    try:
        from sqlalchemy.engine import make_url

        secret = bool(url) and make_url(url).password is not None
    except Exception:  # not a URL: get_engine says so, redacted
        secret = False
    if not secret:
        yield
        return
    from config.settings import get_settings

    before = os.environ.get("OPTALLY_DATABASE_URL")
    os.environ["OPTALLY_DATABASE_URL"] = url
    get_settings.cache_clear()
    args.db = None
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("OPTALLY_DATABASE_URL", None)
        else:
            os.environ["OPTALLY_DATABASE_URL"] = before
        get_settings.cache_clear()


def cmd_demo(args: argparse.Namespace) -> int:
    from app.early_api import early_api

    with early_api() as use_api:  # boots while the pipeline is imported
        from app.demo import run_demo
        from app.progress import RunProgress, set_current
        from db.engine import get_engine, require_writable

        # Not a database, or not writable: one line before the flow run starts.
        require_writable(get_engine(args.db))
        use_api()
        with RunProgress() as progress:
            set_current(progress)
            try:
                run_demo(args.db, port=args.port)
            finally:
                set_current(None)
    print_metrics_table(args.db)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    if args.sources and not Path(args.sources).is_file():
        raise UserError(f"sources file not found: {args.sources}")
    if args.since and args.until and args.since > args.until:  # as the backfill deployment
        raise UserError(f"--since {args.since} is after --until {args.until}")
    if args.only:  # before any API boots: a typo costs nothing
        from config.settings import get_settings
        from config.sources import load_sources

        path = args.sources or get_settings().sources_file
        _check_only(args.only, load_sources(path), args.schedule, path)
    from app.early_api import early_api

    # Signals first: a stop unwinds through early_api, which stops the temporary API.
    with _stop_on_signals(), early_api() as use_api:  # boots while the checks below run
        return _run(args, use_api)


def _run(args: argparse.Namespace, use_api: Callable[[], bool]) -> int:
    from app.progress import RunProgress, set_current
    from config.settings import get_settings
    from config.sources import load_sources
    from db.engine import get_engine, require_writable
    from flows.etl import etl

    # Fail fast, with one line, before a flow run starts and logs a traceback.
    load_sources(args.sources or get_settings().sources_file)
    require_writable(get_engine(args.db))  # read-only or locked: one line, nothing started
    flow_fn = etl
    workers_api: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    if args.task_runner or args.dask_address or get_settings().task_runner != "threads":
        from flows.deployments import api_for_workers, make_task_runner

        try:
            runner = make_task_runner(args.task_runner, args.dask_address)
        except ImportError as exc:
            raise UserError(str(exc)) from None
        _quiet_dask(runner)
        flow_fn = etl.with_options(task_runner=runner)
        workers_api = api_for_workers(runner)
    use_api()
    with workers_api, RunProgress() as progress:
        set_current(progress)
        try:
            summary = flow_fn(
                sources_file=args.sources,
                db_url=args.db,
                since=args.since,
                until=args.until,
                max_pages=args.max_pages,
                schedule=args.schedule,
                only=args.only,
                full_sweep=args.full_sweep,
            )
        finally:
            set_current(None)
    print_summary(summary)
    return 0


def _check_only(names: list[str] | None, sources: list[Any], schedule: str, path: Any) -> None:
    """``--only`` names sources the run would use (enabled, of the --schedule), as the
    backfill deployment checks its ``sources``."""
    if not names:
        return
    from config.sources import select_sources

    chosen = (
        [s for s in sources if s.enabled]
        if schedule == "both"
        else select_sources(sources, schedule)
    )
    known = [s.name for s in chosen]
    unknown = [n for n in names if n not in known]
    if unknown:
        which = "" if schedule == "both" else f"{schedule} "
        raise UserError(
            f"unknown {which}source(s) {', '.join(map(repr, unknown))}; "
            f"the {which or 'enabled '}sources in {path} are: {', '.join(known) or 'none'}"
        )


def _quiet_dask(runner: Any) -> None:
    """Dask logs every scheduler and worker event at INFO (through Prefect's console
    handler, dozens of lines a run), and its workers, still sending heartbeats while the
    cluster closes, log a CommClosedError at the end: neither says anything about the run.
    Warnings of this process's scheduler and nannies (a worker killed, memory) still show."""
    logging.getLogger("distributed").setLevel(logging.WARNING)
    cluster_kwargs = getattr(runner, "cluster_kwargs", None)
    if isinstance(cluster_kwargs, dict):  # a local cluster this run starts and stops
        cluster_kwargs.setdefault("silence_logs", logging.CRITICAL)


def print_summary(summary: dict[str, Any]) -> None:
    print(
        f"discovered {summary['discovered']}, fetched {summary['fetched']} new or changed, "
        f"{summary['not_modified']} not modified, {summary['unchanged']} unchanged, "
        f"extracted {summary['extracted']} ({summary['irrelevant']} off-topic), "
        f"operations touched {summary['operations_touched']}, failed {summary['failed']}"
        + (f", discovery failed {n}" if (n := summary.get("discovery_failed")) else "")
    )
    for f in summary.get("discovery_failures", []):  # listings, feeds, sitemaps: per source
        print(
            f"  discovery failed: {f['source']}: {f['url']}: {f['reason']} "
            f"(status {f['status']}, {f['attempts']} attempt(s))"
        )
    for f in summary["failures"]:
        print(
            f"  failed: {f['url']}: {f['reason']} (status {f['status']}, {f['attempts']} attempt(s))"
        )
    for warning in summary.get("warnings", []):  # discovery's: "<source>: <warning>"
        print(f"  warning: {warning}")


def cmd_extract(args: argparse.Namespace) -> int:
    from tasks.extract import extract_page

    page: str = args.page
    url = args.url
    if page.startswith(("http://", "https://")):
        from config.settings import get_settings
        from tasks.fetch import Fetcher

        host = urlsplit(page).hostname
        if not host:
            raise UserError(f"cannot fetch {page}: no host in the URL")
        with Fetcher(get_settings()) as fetcher:
            result = fetcher.fetch(page, allowed_hosts=[host], rate_limit=0, allow_private=True)
        if not result.ok or result.body is None:
            raise UserError(f"cannot fetch {page}: {result.error}")
        data: bytes = result.body
        url = url or result.final_url
    else:
        path = Path(page)
        if not path.is_file():
            raise UserError(f"no such file: {page}")
        data = path.read_bytes()
    problem = not_html(data)
    if problem:  # an extraction of it would be empty, with a garbage title
        raise UserError(f"{page} {problem}")
    extraction = extract_page(data, url=url, profile=args.profile)
    out = extraction.to_json()
    if args.format == "json":
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print_extraction_table(out)
    return 0


SNIFF_BYTES = 64 * 1024  # what `extract` reads to tell a page from something else
CONTROL_SHARE = 0.1  # text has tabs and newlines, hardly any other control bytes
_CONTROL = frozenset([*range(0, 9), *range(14, 32), 127])
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Any one of these elements makes a document (or a saved fragment of one) HTML.
_HTML_TAG = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|title|meta|p|div|span|a|article|main|section"
    rb"|table|ul|ol|li|h[1-6]|br|img)\b",
    re.IGNORECASE,
)


def not_html(data: bytes) -> str | None:
    """Why ``data`` is no page to extract (empty, binary, no HTML markup), or None."""
    sample = data[:SNIFF_BYTES]
    if sample.startswith(_UTF16_BOMS):
        sample = sample.decode("utf-16", errors="replace").encode("utf-8")
    if not sample.strip():
        return "is empty"
    head = sample[:8192]
    if b"\x00" in head or sum(b in _CONTROL for b in head) > CONTROL_SHARE * len(head):
        return "is not an HTML page (binary data)"
    if not _HTML_TAG.search(sample):
        return "is not an HTML page (no HTML markup)"
    return None


def print_extraction_table(out: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    op = out["operation"]
    console.print(f"[bold]{out['title']}[/bold]")
    console.print(f"published {out['published']}  publisher {out['publisher']}  url {out['url']}")
    console.print(f"operation {op['name']}  lead {op['lead_agency']}  theme {op['theme']}")
    t = Table("scope", "metric", "value", "qualifier", "evidence")
    for f in out["figures"] + out["other_figures"]:
        t.add_row(f["scope"], f["metric"], f"{f['value']:,}", f["qualifier"], f["evidence"][:120])
    console.print(t)
    for b in out["arrest_breakdown"]:
        console.print(f"  arrested for {b['offence']}: {b['count']}")


def cmd_metrics(args: argparse.Namespace) -> int:
    from db.engine import get_engine, require_existing
    from db.queries import first_pages, metrics_rows

    require_existing(args.db)  # reading must not create an empty warehouse
    engine = get_engine(args.db)
    rows = metrics_rows(engine)
    if args.format == "json":
        first = first_pages(engine)
        json.dump(
            [_json_row(r, first.get(r["id"], {})) for r in rows],
            sys.stdout,
            indent=1,
            ensure_ascii=False,
        )
        print()
    elif args.format == "csv":
        from tasks.export import CSV_QUOTING, csv_cell

        buf = io.StringIO()
        if rows:  # scraped titles must not run as formulas in a spreadsheet (csv_cell)
            w = csv.DictWriter(buf, fieldnames=list(rows[0]), quoting=CSV_QUOTING)
            w.writeheader()
            w.writerows({k: csv_cell(v) for k, v in r.items()} for r in rows)
        sys.stdout.write(buf.getvalue())
    else:
        print_metrics_table(args.db)
    return 0


def _json_row(row: dict[str, Any], first_page: dict[str, Any]) -> dict[str, Any]:
    """A metrics row as `optally metrics --format json` prints it: the contract's keys in
    their order, with the ``title`` and ``published`` date of the operation's first
    official page (else its first page) after ``name``."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("published", "title"):
            continue
        out[key] = value
        if key == "name":
            out["title"] = first_page.get("title")
            out["published"] = first_page.get("published")
    return out


# (column, heading, kind): kind "n" count, "r" ratio, "p" percentage of a fraction
TABLE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("arrests", "arrests", "n"),
    ("potential_victims", "victims", "n"),
    ("forces_involved", "forces", "n"),
    ("duration_days", "days", "n"),
    ("nrm_referrals", "NRM", "n"),
    ("international_arrests", "intl arr", "n"),
    ("arrests_per_force", "arr/force", "r"),
    ("arrests_per_force_day", "arr/force/day", "r"),
    ("nrm_referral_rate", "NRM rate", "p"),
    ("unreferred_victims", "unreferred", "n"),
    ("uk_share_of_international_arrests", "UK share intl arr", "p"),
)
_BOUND_MARK = {"at_least": "≥", "more_than": ">", "up_to": "≤", "approx": "~", "exact": ""}


def _fmt(value: Any, kind: str, qualifier: str | None) -> str:
    if value is None:
        return "–"
    mark = _BOUND_MARK.get(qualifier or "exact", "")
    if kind == "p":
        return f"{mark}{value * 100:.1f} %"
    if kind == "r":
        return f"{mark}{value:.2f}" if value != int(value) else f"{mark}{value:.1f}"
    return f"{mark}{int(value):,}" if float(value).is_integer() else f"{mark}{value:,.2f}"


def print_metrics_table(db_url: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from db.engine import get_engine
    from db.queries import metric_details, metrics_rows

    engine = get_engine(db_url)
    rows = metrics_rows(engine)
    details = metric_details(engine)
    headings = ["id", "operation", "lead", "published", "src", *(h for _, h, _ in TABLE_COLUMNS)]
    body = []
    for r in rows:
        label = r["name"] or r["title"] or "?"
        cells = []
        for col, _, kind in TABLE_COLUMNS:
            q = details.get(r["id"], {}).get(col, {}).get("qualifier")
            cells.append(_fmt(r[col], kind, q))
        key = [str(r["id"]), label, r["lead_agency"] or "", r["published"] or "", str(r["sources"])]
        body.append([*key, *cells])
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(width=UNBOUNDED_WIDTH)  # a file or a pipe: every cell whole
    groups, name_width = table_layout(headings, body, console.width)
    for n, columns in enumerate(groups):
        title = f"optally: {len(rows)} operations" + (f" (continued, {n + 1})" if n else "")
        table = Table(title=title, show_lines=False)
        for i in columns:
            if i == NAME_COLUMN:
                table.add_column(
                    headings[i], max_width=name_width, no_wrap=True, overflow="ellipsis"
                )
            else:  # lead and published read from the left, counts from the right
                justify = "left" if i in LEFT_COLUMNS else "right"
                table.add_column(headings[i], justify=justify, no_wrap=True)
        for cells in body:
            table.add_row(*(cells[i] for i in columns))
        console.print(table)


UNBOUNDED_WIDTH = 10_000  # a table into a file or a pipe keeps its natural width
KEY_COLUMNS = 5  # id, operation, lead, published, src: the first part of a table
NAME_KEY = 2  # id and operation: what each further part repeats, to tell its rows apart
NAME_COLUMN = 1
LEFT_COLUMNS = (1, 2, 3)  # operation, lead, published
NAME_MAX, NAME_MIN = 40, 16  # the operation column: cut with an ellipsis past these
CELL_EXTRA = 3  # rich's padding on both sides and one border per column
EDGE = 1  # the table's closing border


def table_layout(
    headings: Sequence[str], body: Sequence[Sequence[str]], width: int
) -> tuple[list[list[int]], int]:
    """Which columns go into each part of a table ``width`` characters wide, and the width
    of the operation column. Names are cut first (down to NAME_MIN); figures never are:
    when they still do not fit, they go on in further tables, each repeating the id and
    the operation."""
    natural = [max([len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(headings)]
    natural[NAME_COLUMN] = min(natural[NAME_COLUMN], NAME_MAX)
    cost = [w + CELL_EXTRA for w in natural]
    key = sum(cost[:KEY_COLUMNS]) + EDGE
    over = key + sum(cost[KEY_COLUMNS:]) - width
    name = max(min(NAME_MIN, natural[NAME_COLUMN]), natural[NAME_COLUMN] - max(0, over))
    key -= natural[NAME_COLUMN] - name
    name_key = sum(cost[:NAME_KEY]) + EDGE - (natural[NAME_COLUMN] - name)
    groups = [list(range(KEY_COLUMNS))]
    used, figures = key, 0  # width taken and figure columns in the last part
    for i in range(KEY_COLUMNS, len(headings)):
        if figures and used + cost[i] > width:
            groups.append(list(range(NAME_KEY)))
            used, figures = name_key, 0
        groups[-1].append(i)
        used += cost[i]
        figures += 1
    return groups, name


def cmd_add(args: argparse.Namespace) -> int:
    bad = [u for u in args.urls if not u.startswith(("http://", "https://"))]
    if bad:
        raise UserError(f"not an http(s) URL: {bad[0]}")
    from app.early_api import early_api

    with early_api() as use_api:
        from app.progress import RunProgress, set_current
        from flows.etl import add_urls

        use_api()
        with RunProgress() as progress:
            set_current(progress)
            try:
                summary = add_urls(
                    list(args.urls), db_url=args.db, allow_private=args.allow_private
                )
            finally:
                set_current(None)
    print_summary(summary)
    return 0 if not summary["failed"] else 1


def cmd_reparse(args: argparse.Namespace) -> int:
    from app.early_api import early_api

    with early_api() as use_api:
        from flows.etl import reparse

        use_api()
        summary = reparse(sources_file=args.sources, db_url=args.db)
    print(
        f"re-extracted {summary['extracted']} archived pages; operations touched {summary['operations_touched']}"
    )
    return 0


def cmd_import_warc(args: argparse.Namespace) -> int:
    from config.settings import get_settings
    from config.sources import load_sources
    from db.engine import get_engine, require_writable
    from tasks.warc import ArchiveFileError, check_file

    if args.sources and not Path(args.sources).is_file():
        raise UserError(f"sources file not found: {args.sources}")
    try:  # every file, before anything is written: a typo costs nothing
        for path in args.files:
            check_file(path)
    except ArchiveFileError as exc:
        raise UserError(str(exc)) from None
    load_sources(args.sources or get_settings().sources_file)
    require_writable(get_engine(args.db))
    from app.early_api import early_api

    with _stop_on_signals(), early_api() as use_api:
        from app.progress import RunProgress, set_current
        from flows.etl import import_warc

        use_api()
        with RunProgress() as progress:
            set_current(progress)
            try:
                summary = import_warc(
                    list(args.files), source=args.source, sources_file=args.sources, db_url=args.db
                )
            except ArchiveFileError as exc:  # a file that broke off half way
                raise UserError(str(exc)) from None
            finally:
                set_current(None)
    print_summary(summary)
    skipped = summary.get("records_skipped") or {}
    if skipped:
        print("records that are no page: " + ", ".join(f"{k} {v}" for k, v in skipped.items()))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from db.engine import require_existing
    from flows.metrics import build_report

    require_existing(args.db)
    out = Path(args.out)
    if out.is_dir():
        raise UserError(f"--out must be a file, not the directory {args.out}")
    try:
        path = build_report(args.db, out)
    except OSError as exc:
        raise UserError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    print(path)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from app.serve import api_url, serve

    if not api_url():
        # Serving to a temporary API would register deployments nobody can see or trigger.
        raise UserError(
            "optally serve needs a Prefect server: run `make ui`, or start one with "
            "`prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    if args.sources and not Path(args.sources).is_file():
        raise UserError(f"sources file not found: {args.sources}")
    sources = str(Path(args.sources).resolve()) if args.sources else None
    serve(sources_file=sources, db_url=args.db)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from db.engine import get_engine, require_existing
    from tasks.export import export_all

    require_existing(args.db)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out must be a directory, not the file {args.out}")
    engine = get_engine(args.db)
    try:
        paths = export_all(engine, out, args.format)
    except OSError as exc:
        raise UserError(f"cannot write to {args.out}: {exc.strerror or exc}") from exc
    for path in paths:
        print(path)
    return 0


def cmd_operations(args: argparse.Namespace) -> int:
    from db.engine import get_engine, require_existing
    from db.followups import FollowupError, set_manual_link
    from db.operations import (
        OperationsError,
        list_operations,
        merge_operations,
        split_operation,
    )
    from db.queries import operation_page_urls
    from tasks.derive import rebuild

    require_existing(args.db)
    engine = get_engine(args.db)
    try:
        if args.operations_command == "merge":
            with engine.begin() as conn:
                moved = merge_operations(conn, args.ids)
                rebuild(conn)  # the derive stage, in the merge's transaction
            others = ", ".join(str(i) for i in args.ids[1:])
            print(f"merged operation(s) {others} into {args.ids[0]}: {moved} page(s) moved")
        elif args.operations_command == "split":
            with engine.begin() as conn:
                new_id = split_operation(conn, args.id, args.page)
                rebuild(conn)
            print(f"split {len(set(args.page))} page(s) off operation {args.id} into {new_id}")
        elif args.operations_command in ("link", "unlink"):
            target = args.operation if args.operations_command == "link" else None
            with engine.begin() as conn:
                before, _ = set_manual_link(conn, args.page, target)
                rebuild(conn)  # both operations' follow-up metrics, in the same transaction
            print(
                f"follow-up {args.page}: operation {before or 'none'} -> {target or 'none'}"
                " (manual; later runs keep it)"
            )
        else:
            with engine.connect() as conn:
                rows = list_operations(conn)
            print_operations(rows, args.format, operation_page_urls(engine))
    except (OperationsError, FollowupError) as exc:
        raise UserError(str(exc)) from None
    return 0


def print_operations(
    rows: Sequence[Any], fmt: str, urls: dict[int, list[str]] | None = None
) -> None:
    """Each operation, then the URLs of its pages (what `operations split --page` takes)."""
    urls = urls or {}
    if fmt == "json":
        out = [{**_row_dict(r), "urls": urls.get(r.id, [])} for r in rows]
        json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
        print()
        return
    print(
        f"{'id':>5} {'pages':>5} {'forces':>6} {'parent':>6} {'merged':>6} {'published':<10}  name"
    )
    for r in rows:
        label = r.name or r.title or "?"
        print(
            f"{r.id:>5} {r.pages:>5} {r.forces:>6} {r.parent_id or '':>6} "
            f"{r.merged_into or '':>6} {r.published.isoformat() if r.published else '':<10}  "
            f"{label}"
        )
        for url in urls.get(r.id, []):
            print(f"{'':>5} page {url}")


def _row_dict(r: Any) -> dict[str, Any]:
    from dataclasses import asdict

    d = asdict(r)
    d["published"] = r.published.isoformat() if r.published else None
    return d


COMMANDS = {
    "operations": cmd_operations,
    "demo": cmd_demo,
    "run": cmd_run,
    "extract": cmd_extract,
    "metrics": cmd_metrics,
    "reparse": cmd_reparse,
    "import-warc": cmd_import_warc,
    "add": cmd_add,
    "report": cmd_report,
    "export": cmd_export,
    "serve": cmd_serve,
}


if __name__ == "__main__":
    raise SystemExit(main())
