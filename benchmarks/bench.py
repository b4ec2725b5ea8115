"""`make bench`: how fast optally is, measured side by side in one run, with the targets.

    python -m benchmarks.bench [--pages 2000] [--big 10000] [--reps 3] [--budget 580]

What it measures (every optally run is a separate process, the way a user runs it; the
archive is served by ``benchmarks.site`` in a process of its own):

1. full backfill through the Prefect flow (``optally run --sources FILE --db URL``) into
   SQLite: pages/s, wall and CPU seconds, peak RSS of the process tree (client plus the
   temporary Prefect API server it starts);
2. the same into PostgreSQL (a database created for the run and dropped after);
3. the fixed cost of a run (a site with no articles) and an incremental re-run with
   nothing changed: seconds, and how many requests the site answered with 304;
4. ``optally reparse`` of the whole archive (no network): pages/s;
5. the naive baseline (``benchmarks/baseline.py``) over the same pages: optally/baseline;
6. orchestration overhead: the flow against the same task functions called directly
   (``benchmarks/direct.py``);
7. peak RSS at ``--big`` pages against the ``--pages`` run;
plus the BeautifulSoup(lxml)-alone parse rate of the same pages in this process,
``extract_page`` on tests/fixtures/corpus next to BeautifulSoup alone on those pages, and
a pyinstrument profile of a direct, sequential run (where the time goes).

Noisy figures are the median of ``--reps`` runs; the slow single-shot ones (baseline, big
run) run once. ``--budget`` seconds bound the whole run: optional repetitions are dropped
when they would not fit. The results go to docs/BENCHMARKS.md (between the
``bench:begin``/``bench:end`` markers; the text around them is kept) and to
benchmarks/last_run.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import yaml

from benchmarks.generate import recheck_days
from benchmarks.procs import MB, Measured, run_measured
from benchmarks.site import SiteProcess

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
OPTALLY = str(Path(PY).with_name("optally"))
DOC = REPO / "docs" / "BENCHMARKS.md"
JSON_OUT = REPO / "benchmarks" / "last_run.json"
CORPUS = REPO / "tests" / "fixtures" / "corpus"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
COMMAND = "make bench"

TARGETS = {
    "backfill_rate": 40.0,  # pages/s into SQLite
    "backfill_vs_bs4": 0.5,  # at least half the BeautifulSoup(lxml)-alone rate
    "vs_baseline": 4.0,
    "fixed_cost": 5.0,  # seconds
    "incremental_share": 0.10,  # net of the fixed cost, of the backfill's net time
    "orchestration": 0.15,
    "rss_big_mb": 500.0,
    "rss_growth": 0.20,
}


# ---------------------------------------------------------------------------
# Small helpers


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def median(xs: Iterable[float]) -> float:
    xs = list(xs)
    return statistics.median(xs) if xs else float("nan")


class Budget:
    def __init__(self, seconds: float) -> None:
        self.start = time.monotonic()
        self.seconds = seconds

    @property
    def used(self) -> float:
        return time.monotonic() - self.start

    def left(self) -> float:
        return self.seconds - self.used

    def allows(self, estimate: float) -> bool:
        return self.left() > estimate


@dataclass
class Run:
    """One measured process."""

    what: str
    wall: float
    cpu: float
    rss_tree_mb: float
    rss_proc_mb: float
    procs: int
    load: tuple[float, float]
    pages: int = 0
    requests: int = 0
    not_modified: int = 0
    note: str = ""
    per_process: dict[str, dict[str, float]] = field(default_factory=dict)

    def proc(self, label: str, key: str) -> float:
        return self.per_process.get(label, {}).get(key, float("nan"))

    @property
    def rate(self) -> float:
        return self.pages / self.wall if self.wall else float("nan")


def _run(what: str, m: Measured, pages: int = 0, stats: dict | None = None, note: str = "") -> Run:
    if not m.ok:
        raise RuntimeError(
            f"{what} failed (exit {m.returncode}): {' '.join(m.cmd)}\n{m.stdout[-2000:]}\n{m.stderr[-4000:]}"
        )
    stats = stats or {}
    return Run(
        what,
        m.wall,
        m.cpu,
        m.peak_tree_rss / MB,
        m.peak_proc_rss / MB,
        m.peak_procs,
        m.load,
        pages,
        int(stats.get("requests", 0)),
        int(stats.get("not_modified", 0)),
        note,
        m.per_process,
    )


def write_sources(path: Path, base_url: str, max_pages: int = 100_000) -> Path:
    """A sources file for the benchmark site: the NCA listing profile, no rate limit."""
    host = base_url.split("//", 1)[1].split(":", 1)[0]
    data = {
        "sources": [
            {
                "name": "nca-bench",
                "kind": "listing",
                "profile": "nca",
                "start_url": f"{base_url}/news",
                "allowed_hosts": [host],
                "rate_limit": 0,
                "allow_private_hosts": True,
                "max_pages": max_pages,  # listing pages; 10,000 articles need 625
            }
        ]
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# The machine


def machine() -> dict[str, Any]:
    import importlib.metadata

    import bs4
    import lxml.etree
    import prefect
    import sqlalchemy

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlite3

    git = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=REPO,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "prefect": prefect.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "beautifulsoup4": bs4.__version__,
        "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
        "requests": importlib.metadata.version("requests"),
        "sqlite": sqlite3.sqlite_version,
        "git": git + (" (with uncommitted changes)" if dirty else ""),
        "load_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# ---------------------------------------------------------------------------
# In-process parse rates


def parse_rate(pages: list[bytes], chunk: int = 100) -> dict[str, float]:
    """BeautifulSoup(html, "lxml") over every page, in chunks; the median chunk rate."""
    import gc

    from bs4 import BeautifulSoup

    rates = []
    total = 0.0
    for i in range(0, len(pages), chunk):
        part = pages[i : i + chunk]
        t0 = time.perf_counter()
        for body in part:
            BeautifulSoup(body, "lxml")
        dt = time.perf_counter() - t0
        total += dt
        rates.append(len(part) / dt)
        gc.collect()
    return {
        "pages": len(pages),
        "seconds": total,
        "rate": median(rates),
        "overall": len(pages) / total,
    }


def corpus_rates(reps: int) -> dict[str, Any]:
    """extract_page (what `optally extract` runs) and BeautifulSoup alone on the corpus."""
    from bs4 import BeautifulSoup

    from tasks.extract import extract_page

    items = []
    for html in sorted(CORPUS.glob("*.html")):
        gold = html.with_suffix("").with_suffix(".gold.json")
        meta = json.loads(gold.read_text(encoding="utf-8")) if gold.exists() else {}
        items.append((html.read_bytes(), meta.get("url")))
    extract_page(items[0][0], url=items[0][1])  # warm: regexes compile on first use

    def timed(fn: Callable[[], None]) -> float:
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0

    ex = [timed(lambda: [extract_page(b, url=u) for b, u in items]) for _ in range(reps)]
    bs = [timed(lambda: [BeautifulSoup(b, "lxml") for b, _ in items]) for _ in range(reps)]
    n = len(items)
    cli = []
    for _ in range(reps):
        m = run_measured(
            [OPTALLY, "extract", str(sorted(CORPUS.glob("*.html"))[0]), "--format", "json"],
            cwd=REPO,
        )
        if m.ok:
            cli.append(m.wall)
    return {
        "pages": n,
        "kb": round(sum(len(b) for b, _ in items) / n / 1024, 1),
        "extract_seconds": median(ex),
        "extract_rate": n / median(ex),
        "bs4_seconds": median(bs),
        "bs4_rate": n / median(bs),
        "cli_one_page_seconds": median(cli),
    }


# ---------------------------------------------------------------------------
# Profile of a direct, sequential run


def run_profile(sources: Path, db_url: str, out_txt: Path) -> dict[str, Any]:
    """benchmarks.direct --sequential under pyinstrument, in this process's child."""
    # Extraction in this process: on its worker processes it would not be in the profile.
    env = {**os.environ, "OPTALLY_EXTRACT_PROCESSES": "0"}
    m = run_measured(
        [PY, "-m", "benchmarks.direct", "--sources", str(sources), "--db", db_url,
         "--sequential", "--profile", str(out_txt), "--profile-json", str(out_txt.with_suffix(".json"))],
        env=env,
        cwd=REPO,
    )  # fmt: skip
    if not m.ok:
        raise RuntimeError(f"profile run failed: {m.stderr[-3000:]}")
    data = json.loads(out_txt.with_suffix(".json").read_text())
    data["wall"] = m.wall
    return data


# ---------------------------------------------------------------------------
# PostgreSQL


def pg_admin_url() -> str:
    return (
        os.environ.get("OPTALLY_BENCH_POSTGRES_URL")
        or os.environ.get("OPTALLY_TEST_POSTGRES_URL")
        or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )


class PgDatabase:
    """A database of its own for one run, dropped afterwards."""

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy import create_engine

        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.name = f"optally_bench_{uuid.uuid4().hex[:10]}"
        self.url = ""

    def __enter__(self) -> PgDatabase:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
            self.version = conn.execute(text("SHOW server_version")).scalar()
        self.url = self.admin.url.set(database=self.name).render_as_string(hide_password=False)
        return self

    def __exit__(self, *exc: object) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


# ---------------------------------------------------------------------------
# The benchmark


@dataclass
class Results:
    machine: dict[str, Any]
    config: dict[str, Any]
    runs: list[Run] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)


class PrefectServer:
    """`prefect server start` on a free port with a home of its own: the way scheduled runs
    (deployments, `optally serve`) talk to Prefect. Stopped by its process id."""

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home, self.env = home, dict(env)
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.startup = 0.0

    def __enter__(self) -> PrefectServer:
        import socket
        from urllib.request import urlopen

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = dict(self.env, PREFECT_HOME=str(self.home))
        env.update(
            {  # the recorder keeps up with runs (docs/DEPLOY.md, "Prefect server on PostgreSQL")
                "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
                "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "100",
                "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
            }
        )
        prefect = str(Path(PY).with_name("prefect"))
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{port}/api"
        while time.monotonic() - t0 < 120:
            if self.proc.poll() is not None:
                raise RuntimeError("prefect server start exited")
            try:
                with urlopen(self.url + "/health", timeout=2) as r:
                    r.read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("prefect server did not answer within 120 s")
        self.startup = time.monotonic() - t0
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.budget = Budget(args.budget)
        self.tmp = Path(tempfile.mkdtemp(prefix="optally-bench-"))
        self.env = dict(os.environ)
        self.env.update(
            {
                "PREFECT_HOME": str(self.tmp / "prefect-home"),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_LOGGING_LEVEL": args.prefect_log_level,
                "PYTHONUNBUFFERED": "1",
            }
        )
        for key in list(self.env):
            if key.startswith("OPTALLY_") and key != "OPTALLY_BENCH_POSTGRES_URL":
                self.env.pop(key)  # the runs use the defaults, whatever this shell has set
        self.env.pop("PREFECT_API_URL", None)  # ephemeral API: the process tree is measured
        # The incremental re-run re-checks the archive's newest 30 days, as on a live site.
        self.env["OPTALLY_RECHECK_DAYS"] = str(recheck_days())
        # The default bound of 5,000 URLs per source and run would halve the big run.
        self.env["OPTALLY_MAX_URLS_PER_SOURCE"] = str(max(args.pages, args.big, 1))
        self.results = Results(
            machine(),
            {
                "pages": args.pages,
                "big": args.big,
                "reps": args.reps,
                "baseline_pages": args.baseline_pages,
                "budget_s": args.budget,
                "seed": args.seed,
                "PREFECT_LOGGING_LEVEL": args.prefect_log_level,
                "batch_size": _settings().batch_size,
            },
        )
        self.last_sqlite = ""

    # -- running things ----------------------------------------------------

    def optally(self, *argv: str, env: dict[str, str] | None = None) -> Measured:
        return run_measured([OPTALLY, *argv], env=env or self.env, cwd=REPO)

    def db(self, label: str) -> str:
        return f"sqlite:///{self.tmp / f'{label}-{uuid.uuid4().hex[:6]}.db'}"

    def add(self, run: Run) -> Run:
        self.results.runs.append(run)
        log(
            f"{run.what}: {run.wall:.1f} s wall, {run.cpu:.1f} s cpu, {run.rss_tree_mb:.0f} MB tree"
            + (f", {run.rate:.1f} pages/s" if run.pages else "")
            + (f", {run.not_modified}/{run.requests} answered 304" if run.requests else "")
            + f" (load {run.load[0]:.1f})"
        )
        return run

    def skip(self, what: str, needed: float) -> bool:
        """True (and a note) when ``what`` would not fit in the budget."""
        if self.budget.allows(needed):
            return False
        self.results.notes.append(
            f"{what} skipped to stay in the time budget: about {needed:.0f} s needed, "
            f"{max(0.0, self.budget.left()):.0f} s left"
        )
        log(f"skipped: {what}")
        return True

    def runs(self, prefix: str) -> list[Run]:
        return [r for r in self.results.runs if r.what.startswith(prefix)]

    # -- steps -------------------------------------------------------------

    def fixed_cost(self, reps: int) -> None:
        with SiteProcess(0) as site:
            sources = write_sources(self.tmp / "empty.yaml", site.base_url)
            db = self.db("empty")
            log("first run in a fresh PREFECT_HOME (Prefect migrates its database)")
            self.add(_run("first run, fresh PREFECT_HOME (site with no articles)",
                          self.optally("run", "--sources", str(sources), "--db", db)))  # fmt: skip
            for i in range(reps):
                site.reset()
                m = self.optally("run", "--sources", str(sources), "--db", db)
                self.add(_run(f"fixed cost #{i + 1} (site with no articles)", m, 0, site.stats()))
            for i in range(reps):  # the same without Prefect: what orchestration adds to it
                m = run_measured(
                    [PY, "-m", "benchmarks.direct", "--sources", str(sources), "--db", db],
                    env=self.env,
                    cwd=REPO,
                )
                self.add(_run(f"direct fixed cost #{i + 1} (site with no articles)", m))

    def parse_rates(self) -> None:
        from benchmarks.generate import build_archive

        archive = build_archive(self.args.pages, self.args.seed)
        bodies = archive.article_bytes()
        self.results.figures["archive"] = {
            "articles": len(bodies),
            "listing_pages": archive.listing_pages,
            "kb_per_article": round(sum(map(len, bodies)) / max(1, len(bodies)) / 1024, 1),
            "operation_pages": sum(p.operation for p in archive.pages),
        }
        del archive
        log(f"BeautifulSoup(lxml) alone over the {len(bodies)} archive pages, in this process")
        self.results.figures["bs4_archive"] = parse_rate(bodies)
        log(f"  {self.results.figures['bs4_archive']['rate']:.1f} pages/s")
        log("corpus: extract_page and BeautifulSoup alone on tests/fixtures/corpus")
        c = self.results.figures["corpus"] = corpus_rates(3)
        log(f"  extract {c['extract_rate']:.1f} pages/s, bs4 {c['bs4_rate']:.1f} pages/s")

    def backfill_rep(self, site: SiteProcess, sources: Path, i: int, direct: bool = True) -> None:
        """Full backfill into a fresh SQLite file, the incremental re-run, a direct run."""
        n = self.args.pages
        db = self.db("backfill")
        site.reset()
        self.add(_run(f"backfill sqlite #{i}", self.optally("run", "--sources", str(sources), "--db", db), n, site.stats()))  # fmt: skip
        site.reset()
        self.add(_run(f"incremental sqlite #{i}", self.optally("run", "--sources", str(sources), "--db", db), n, site.stats()))  # fmt: skip
        self.last_sqlite = db
        if direct:
            self.direct(site, sources, i)

    def direct(self, site: SiteProcess, sources: Path, i: int) -> None:
        n = self.args.pages
        site.reset()
        m = run_measured(
            [PY, "-m", "benchmarks.direct", "--sources", str(sources), "--db", self.db("direct")],
            env=self.env,
            cwd=REPO,
        )
        self.add(_run(f"direct (task.fn, no Prefect) #{i}", m, n, site.stats()))

    def postgres(self, site: SiteProcess, sources: Path) -> None:
        with PgDatabase(pg_admin_url()) as pg:
            self.results.machine["postgresql"] = pg.version
            site.reset()
            m = self.optally("run", "--sources", str(sources), "--db", pg.url)
            self.add(_run("backfill postgresql", m, self.args.pages, site.stats()))
            site.reset()
            m = self.optally("run", "--sources", str(sources), "--db", pg.url)
            self.add(_run("incremental postgresql", m, self.args.pages, site.stats()))

    def baseline(self, site: SiteProcess) -> None:
        n = min(self.args.baseline_pages, self.args.pages)
        log(f"naive baseline over the first {n} pages")
        site.reset()
        m = run_measured(
            [PY, "-m", "benchmarks.baseline", "--base-url", site.base_url,
             "--db", str(self.tmp / "baseline.db"), "--max-articles", str(n)],
            env=self.env,
            cwd=REPO,
        )  # fmt: skip
        run = self.add(_run("naive baseline", m, n, site.stats()))
        run.note = m.stdout.strip()

    def profile(self, site: SiteProcess) -> None:
        n = self.args.profile_pages
        sources = write_sources(self.tmp / "profile.yaml", site.base_url, max_pages=-(-n // 16))
        log(f"profile: direct sequential run over {n} pages, pyinstrument")
        self.results.profile = run_profile(sources, self.db("profile"), self.tmp / "profile.txt")
        shutil.copy(self.tmp / "profile.txt", REPO / "benchmarks" / "last_profile.txt")

    def server_mode(self, site: SiteProcess, sources: Path) -> None:
        """Fixed cost and incremental re-run against a running Prefect server."""
        with PrefectServer(self.tmp / "prefect-server-home", self.env) as server:
            self.results.figures["prefect_server_startup"] = server.startup
            log(f"prefect server up in {server.startup:.1f} s")
            env = dict(self.env, PREFECT_API_URL=server.url)
            with SiteProcess(0) as empty:
                src0 = write_sources(self.tmp / "empty-server.yaml", empty.base_url)
                db = self.db("empty-server")
                self.optally("run", "--sources", str(src0), "--db", db, env=env)  # warm
                for i in range(self.args.reps):
                    m = self.optally("run", "--sources", str(src0), "--db", db, env=env)
                    self.add(_run(f"server mode: fixed cost #{i + 1}", m))
            if self.last_sqlite:
                site.reset()
                m = self.optally("run", "--sources", str(sources), "--db", self.last_sqlite, env=env)  # fmt: skip
                self.add(_run("server mode: incremental sqlite", m, self.args.pages, site.stats()))

    def big(self) -> None:
        a = self.args
        full = self.runs("backfill sqlite #")
        fixed = median(r.wall for r in self.runs("fixed cost"))
        rate = median(r.rate for r in full) if full else float("nan")
        est = fixed + a.big / rate if rate == rate and rate > 0 else 600.0
        if self.skip(f"the {a.big}-page run", est * 1.15 + 20):
            return
        log(f"big run: {a.big} pages (about {est:.0f} s)")
        with SiteProcess(a.big, a.seed) as big:
            src = write_sources(self.tmp / "big.yaml", big.base_url)
            m = self.optally("run", "--sources", str(src), "--db", self.db("big"))
            self.add(_run(f"backfill sqlite {a.big} pages", m, a.big, big.stats()))

    def run_all(self) -> Results:
        a = self.args
        log(f"machine: {self.results.machine}")
        self.fixed_cost(a.reps)
        self.parse_rates()
        with SiteProcess(a.pages, a.seed) as site:
            sources = write_sources(self.tmp / "site.yaml", site.base_url)
            t0 = time.monotonic()
            self.backfill_rep(site, sources, 1)
            rep = time.monotonic() - t0
            full = self.runs("backfill sqlite #")[0]
            if a.big:
                self.big()
            if not a.skip_pg and not self.skip("PostgreSQL", full.wall * 1.3 + 25):
                self.postgres(site, sources)
            if not self.skip("reparse", full.wall + 10):
                log("reparse of the whole archive")
                m = self.optally("reparse", "--sources", str(sources), "--db", self.last_sqlite)
                self.add(_run("reparse sqlite", m, a.pages))
            if not self.skip("naive baseline", a.baseline_pages / 15 + 5):
                self.baseline(site)
            # More repetitions while the budget lasts: backfill and incremental first (the
            # headline figures), then the profile and the Prefect server mode, then the
            # direct runs of the extra repetitions.
            full_incr = full.wall + self.runs("incremental sqlite")[0].wall
            reps = 1
            for i in range(2, a.reps + 1):
                if self.skip(f"backfill repetition {i} of {a.reps}", full_incr * 1.1 + 5):
                    break
                self.backfill_rep(site, sources, i, direct=False)
                reps = i
            if a.profile_pages and not self.skip("profile", 25):
                self.profile(site)
            if not a.skip_server and not self.skip("Prefect server mode", 25 + 7 * a.reps):
                self.server_mode(site, sources)
            for i in range(2, reps + 1):
                if self.skip(f"direct run {i} of {a.reps}", (rep - full_incr) * 1.1 + 5):
                    break
                self.direct(site, sources, i)
        self.results.machine["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
        self.results.figures["total_seconds"] = self.budget.used
        self.results.figures["measured_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return self.results

    def cleanup(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


class _Same:
    """The already running site, as a context manager that does not stop it."""

    def __init__(self, site: SiteProcess) -> None:
        self.site = site

    def __enter__(self) -> SiteProcess:
        return self.site

    def __exit__(self, *exc: object) -> None:
        pass


def _settings() -> Any:
    from config.settings import get_settings

    return get_settings()


# ---------------------------------------------------------------------------
# Figures, targets and the report


def summarise(res: Results) -> list[dict[str, Any]]:
    """The headline figures with their targets and pass/fail."""
    runs = res.runs
    T = TARGETS
    n = res.config["pages"]

    def pick(prefix: str) -> list[Run]:
        return [r for r in runs if r.what.startswith(prefix)]

    def walls(rs: list[Run]) -> str:
        return f"median of {len(rs)}: " + ", ".join(f"{r.wall:.1f}" for r in rs) + " s"

    fixed, full, incr = pick("fixed cost"), pick("backfill sqlite #"), pick("incremental sqlite")
    direct = pick("direct (task.fn")
    fixed_s = median(r.wall for r in fixed)
    full_s = median(r.wall for r in full)
    rate = median(r.rate for r in full)
    bs4 = res.figures.get("bs4_archive", {}).get("rate", float("nan"))
    rows: list[dict[str, Any]] = []

    def row(name: str, value: str, target: str, ok: bool | None, detail: str = "") -> None:
        rows.append(
            {"figure": name, "value": value, "target": target, "pass": ok, "detail": detail}
        )

    if full:
        net_rate = n / (full_s - fixed_s) if full_s > fixed_s else float("nan")
        row(
            f"(1) Full backfill, {n} pages, Prefect flow -> SQLite",
            f"{rate:.1f} pages/s",
            f">= {T['backfill_rate']:.0f} pages/s",
            rate >= T["backfill_rate"],
            f"{walls(full)} wall; {median(r.cpu for r in full):.1f} s CPU; "
            f"{net_rate:.1f} pages/s net of the fixed cost",
        )
        row(
            "(1) ... against BeautifulSoup(lxml) alone on the same pages",
            f"{rate / bs4:.2f} x ({bs4:.0f} pages/s alone; net of the fixed cost "
            f"{net_rate / bs4:.2f} x)",
            f">= {T['backfill_vs_bs4']:.2f} x",
            rate / bs4 >= T["backfill_vs_bs4"],
        )
    pg = pick("backfill postgresql")
    if pg:
        row(f"(2) Full backfill, {n} pages, Prefect flow -> PostgreSQL", f"{pg[0].rate:.1f} pages/s",
            "", None, f"single run, {pg[0].wall:.1f} s wall, {pg[0].cpu:.1f} s CPU")  # fmt: skip
    if fixed:
        row(
            "(3) Fixed cost of a run (site with no articles), temporary Prefect API",
            f"{fixed_s:.1f} s",
            f"<= {T['fixed_cost']:.0f} s",
            fixed_s <= T["fixed_cost"],
            f"{walls(fixed)}; {median(r.cpu for r in fixed):.1f} s CPU, client + API server",
        )
    sfixed = pick("server mode: fixed cost")
    if sfixed:
        s_s = median(r.wall for r in sfixed)
        row(
            "(3) Fixed cost of a run, against a running Prefect server",
            f"{s_s:.1f} s",
            f"<= {T['fixed_cost']:.0f} s",
            s_s <= T["fixed_cost"],
            f"{walls(sfixed)} (the server itself started in "
            f"{res.figures.get('prefect_server_startup', float('nan')):.1f} s, once)",
        )
    if incr and full:
        incr_s = median(r.wall for r in incr)
        net_full, net_incr = full_s - fixed_s, incr_s - fixed_s
        share = net_incr / net_full if net_full > 0 else float("nan")
        row(
            "(3) Incremental re-run, nothing changed (SQLite)",
            f"{incr_s:.1f} s; net {net_incr:.1f} s = {share:.1%} of the backfill's net {net_full:.1f} s",
            f"net <= {T['incremental_share']:.0%}",
            share <= T["incremental_share"],
            f"{walls(incr)}; {median(r.not_modified for r in incr):.0f} of "
            f"{median(r.requests for r in incr):.0f} requests answered 304",
        )
    sincr = pick("server mode: incremental")
    if sincr and sfixed and full:
        s_s = median(r.wall for r in sfixed)
        net = sincr[0].wall - s_s
        share = net / (full_s - fixed_s) if full_s > fixed_s else float("nan")
        row(
            "(3) Incremental re-run against a running Prefect server",
            f"{sincr[0].wall:.1f} s; net {net:.1f} s = {share:.1%} of the backfill's net (temporary API)",
            f"net <= {T['incremental_share']:.0%}",
            share <= T["incremental_share"],
            f"single run; {sincr[0].not_modified} of {sincr[0].requests} requests answered 304",
        )
    ipg = pick("incremental postgresql")
    if ipg:
        row("(3) Incremental re-run, PostgreSQL", f"{ipg[0].wall:.1f} s", "", None,
            f"single run; {ipg[0].not_modified} of {ipg[0].requests} requests answered 304")  # fmt: skip
    rp = pick("reparse")
    if rp:
        row("(4) optally reparse, whole archive, no network", f"{rp[0].rate:.1f} pages/s", "",
            None, f"single run, {rp[0].wall:.1f} s wall")  # fmt: skip
    base = pick("naive baseline")
    if base and full:
        b = base[0]
        row(
            "(5) optally / naive baseline, pages/s",
            f"{rate / b.rate:.2f} x (baseline {b.rate:.1f} pages/s)",
            f">= {T['vs_baseline']:.0f} x",
            rate / b.rate >= T["vs_baseline"],
            f"baseline over the first {b.pages} pages, {b.wall:.1f} s wall, {b.cpu:.1f} s CPU",
        )
    if direct and full:
        direct_s = median(r.wall for r in direct)
        over = full_s / direct_s - 1
        cpu_over = median(r.cpu for r in full) / median(r.cpu for r in direct) - 1
        dfixed = pick("direct fixed cost")
        net = ""
        if dfixed and fixed:
            d0 = median(r.wall for r in dfixed)
            net_over = (full_s - fixed_s) / (direct_s - d0) - 1
            net = (
                f"; net of each side's fixed cost ({fixed_s:.1f} s with Prefect, {d0:.1f} s "
                f"without) {net_over:+.0%}"
            )
        row(
            "(6) Orchestration overhead: the flow against task.fn called directly",
            f"{over:+.0%} wall ({full_s:.1f} s against {direct_s:.1f} s)",
            f"<= {T['orchestration']:.0%}",
            over <= T["orchestration"],
            f"direct runs: {walls(direct)}; CPU {cpu_over:+.0%} (the flow's includes its API "
            f"server){net}",
        )
    big = [r for r in runs if r.what.startswith("backfill sqlite ") and "pages" in r.what]
    rss_small = median(r.rss_tree_mb for r in full) if full else float("nan")
    if big:
        g = big[0]
        growth = g.rss_tree_mb / rss_small - 1
        row(
            f"(7) Peak RSS, {res.config['big']} pages (client + temporary API server + extract workers)",
            f"{g.rss_tree_mb:.0f} MB, {growth:+.0%} against {rss_small:.0f} MB at {n} pages",
            f"<= {T['rss_big_mb']:.0f} MB and <= +{T['rss_growth']:.0%}",
            g.rss_tree_mb <= T["rss_big_mb"] and growth <= T["rss_growth"],
            f"single run, {g.rate:.1f} pages/s, {g.wall:.1f} s wall; at their peaks client "
            f"{g.proc('client', 'rss'):.0f} MB (at {n} pages "
            f"{median(r.proc('client', 'rss') for r in full):.0f} MB), API server "
            f"{g.proc('api server', 'rss'):.0f} MB, extract workers "
            f"{g.proc('extract workers', 'rss'):.0f} MB",
        )
    elif full:
        row(
            f"(7) Peak RSS at {n} pages (client + temporary API server + extract workers)",
            f"{rss_small:.0f} MB",
            f"<= {T['rss_big_mb']:.0f} MB",
            rss_small <= T["rss_big_mb"],
            "the big run did not run",
        )
    if fixed:
        floor = median(r.rss_tree_mb for r in fixed)
        row("Peak RSS of a run with no articles (the floor)", f"{floor:.0f} MB", "", None,
            f"at their peaks client {median(r.proc('client', 'rss') for r in fixed):.0f} MB, "
            f"API server {median(r.proc('api server', 'rss') for r in fixed):.0f} MB")  # fmt: skip
    c = res.figures.get("corpus")
    if c:
        row(
            f"extract_page on tests/fixtures/corpus ({c['pages']} pages, {c['kb']} KB on average)",
            f"{c['extract_rate']:.0f} pages/s ({c['extract_seconds'] * 1000 / c['pages']:.1f} ms/page)",
            "",
            None,
            f"BeautifulSoup(lxml) alone on the same pages: {c['bs4_rate']:.0f} pages/s "
            f"({c['bs4_seconds'] * 1000 / c['pages']:.1f} ms/page); one `optally extract` "
            f"process: {c['cli_one_page_seconds']:.2f} s",
        )
    return rows


def _per(r: Run, key: str, fmt: str) -> list[str]:
    """client / API server / extract workers ("-" when a run had none)."""
    out = []
    for label in ("client", "api server", "extract workers"):
        v = r.proc(label, key)
        out.append("-" if v != v else format(v, fmt))
    return out


def _mark(ok: bool | None) -> str:
    return "" if ok is None else ("PASS" if ok else "FAIL")


def render(res: Results, rows: list[dict[str, Any]]) -> str:
    m = res.machine
    out = [BEGIN, ""]
    out.append(
        f"Generated by `{COMMAND}` (`python -m benchmarks.bench`), measured "
        f"{res.figures.get('measured_at') or datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}"
        f" at commit {m['git']}; "
        f"the whole run took {res.figures.get('total_seconds', 0):.0f} s."
    )
    out += [
        "",
        "### Results",
        "",
        "| figure | value | target | | detail |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['figure']} | {r['value']} | {r['target']} | {_mark(r['pass'])} | {r['detail']} |"
        )
    out += ["", "### Machine", ""]
    out.append(
        f"{m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, {m['os']}; Python {m['python']}, "
        f"Prefect {m['prefect']}, SQLAlchemy {m['sqlalchemy']}, beautifulsoup4 {m['beautifulsoup4']}, "
        f"lxml {m['lxml']}, requests {m['requests']}, SQLite {m['sqlite']}"
        + (f", PostgreSQL {m['postgresql']}" if m.get("postgresql") else "")
        + f". Load average (1, 5, 15 min) at start {m['load_at_start']}, at end {m.get('load_at_end')}."
    )
    a = res.figures.get("archive", {})
    cfg = res.config
    out += [
        "",
        "### Setup",
        "",
        f"- Archive: {a.get('articles')} generated NCA-shaped articles ({a.get('kb_per_article')} KB each on "
        f"average, {a.get('operation_pages')} of them report an operation), {a.get('listing_pages')} listing "
        f"pages of 16, seed {cfg.get('seed', 1)}, served by `benchmarks/site.py` in its own process.",
        f"- Every optally run is its own process with the temporary Prefect API it starts "
        f"itself (app/early_api.py), "
        f"`PREFECT_LOGGING_LEVEL={cfg['PREFECT_LOGGING_LEVEL']}`, `PREFECT_SERVER_ANALYTICS_ENABLED=false`, "
        f"a PREFECT_HOME of its own (warmed by one untimed run), settings at their defaults "
        f"(batch_size {cfg['batch_size']}) except two: `OPTALLY_MAX_URLS_PER_SOURCE` at the "
        f"largest archive, so that it is crawled whole, and `OPTALLY_RECHECK_DAYS` so that the "
        f"re-check window holds the archive's newest 30 days (benchmarks/generate.py "
        f"`recheck_days`). pages/s = articles / wall time of the whole process.",
        "- Peak RSS is the largest sum over the process tree (client, API server, extraction "
        "workers), polled every 50 ms. CPU is getrusage of the waited-for children or the sum "
        "of the polled per-process times, whichever is larger.",
    ]
    for note in res.notes:
        out.append(f"- Note: {note}")
    out += [
        "",
        "### Every run",
        "",
        "| run | wall s | CPU s (client / API server / extract workers) | pages/s "
        "| peak RSS MB: tree (client / API server / extract workers) | 304 / requests | load |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in res.runs:
        split = mem = ""
        if "api server" in r.per_process:
            split = " (" + " / ".join(_per(r, "cpu", ".1f")) + ")"
            mem = " (" + " / ".join(_per(r, "rss", ".0f")) + ")"
        out.append(
            f"| {r.what} | {r.wall:.1f} | {r.cpu:.1f}{split} | {f'{r.rate:.1f}' if r.pages else ''} | "
            f"{r.rss_tree_mb:.0f}{mem} | "
            f"{f'{r.not_modified} / {r.requests}' if r.requests else ''} | {r.load[0]:.1f} -> {r.load[1]:.1f} |"
        )
    bs = res.figures.get("bs4_archive")
    if bs:
        out += [
            "",
            f'BeautifulSoup(html, "lxml") alone, in the benchmark process, over the same {bs["pages"]} '
            f"pages: {bs['rate']:.1f} pages/s (median of 100-page chunks; {bs['overall']:.1f} overall).",
        ]
    p = res.profile
    if p:
        total = p["total"]
        out += [
            "",
            f"### Where the time goes (pyinstrument, direct sequential run over {p['pages']} pages)",
            "",
            f"`python -m benchmarks.direct --sequential --profile`: every task on the main thread, "
            f"{total:.1f} s in `etl` (wall, so the shares are what matters on a busy machine). "
            "Inclusive time; indented rows are part of the row above. The full text profile is "
            "in benchmarks/last_profile.txt.",
            "",
            "| part | seconds | share |",
            "|---|---|---|",
        ]
        for label, secs in p["shares"]:
            out.append(
                f"| {label.replace('  ', '&nbsp;&nbsp;')} | {secs:.2f} | {secs / total:.0%} |"
            )
    out += ["", END]
    return "\n".join(out)


SKELETON = """# Benchmarks

How fast optally is, and the numbers to prove it. Everything between the markers below is
written by `make bench` (`python -m benchmarks.bench`); edit the text outside them.

Run it with `make bench` (about 10 minutes; not part of `make test`). It needs the
PostgreSQL of the test suite (`OPTALLY_TEST_POSTGRES_URL`, default
`postgresql+psycopg://postgres@127.0.0.1:5432/test`) or `--skip-pg`.

{generated}
"""


def write_doc(text: str, path: Path = DOC) -> None:
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if BEGIN in old and END in old:
            head, rest = old.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            path.write_text(head + text + tail, encoding="utf-8")
            return
        path.write_text(old.rstrip() + "\n\n" + text + "\n", encoding="utf-8")
        return
    path.write_text(SKELETON.format(generated=text), encoding="utf-8")


def load_results(path: Path) -> Results:
    """The Results of a previous run, from its JSON."""
    data = json.loads(path.read_text(encoding="utf-8"))["results"]
    runs = [Run(**{**r, "load": tuple(r["load"])}) for r in data.pop("runs")]
    return Results(**data, runs=runs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="optally benchmarks (make bench)")
    ap.add_argument("--pages", type=int, default=2000, help="articles in the archive")
    ap.add_argument("--big", type=int, default=10_000, help="articles in the big run (0: skip)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of the noisy figures")
    ap.add_argument(
        "--baseline-pages", type=int, default=500, help="pages the naive baseline reads"
    )
    ap.add_argument("--profile-pages", type=int, default=320, help="pages in the profile (0: skip)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--budget", type=float, default=580, help="seconds for the whole run")
    ap.add_argument("--skip-pg", action="store_true", help="no PostgreSQL runs")
    ap.add_argument("--skip-server", action="store_true", help="no runs against a Prefect server")
    ap.add_argument("--prefect-log-level", default="WARNING")
    ap.add_argument("--out", type=Path, default=DOC, help="the markdown file to (re)write")
    ap.add_argument("--no-write", action="store_true", help="print the results only")
    ap.add_argument(
        "--render-only",
        action="store_true",
        help="measure nothing: rewrite the report from benchmarks/last_run.json",
    )
    args = ap.parse_args(argv)
    if args.render_only:
        res = load_results(JSON_OUT)
    else:
        bench = Bench(args)
        try:
            res = bench.run_all()
        finally:
            bench.cleanup()
    rows = summarise(res)
    text = render(res, rows)
    print(text)
    if not args.no_write:
        write_doc(text, args.out)
        JSON_OUT.write_text(
            json.dumps({"results": asdict(res), "summary": rows}, indent=1, default=str),
            encoding="utf-8",
        )
        log(f"wrote {args.out} and {JSON_OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
