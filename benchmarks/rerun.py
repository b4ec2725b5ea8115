"""The unchanged re-run at two archive sizes: its requests and its time stay flat.

    python -m benchmarks.rerun [--sizes 2000 10000] [--reps 3] [--no-sweep] [--write]

For each size, a generated NCA-shaped archive (benchmarks/generate.py) is served by
benchmarks/site.py in a process of its own, and every optally run is the real command in
its own process (``optally run --sources FILE --db URL``, default settings, the temporary
Prefect API it starts itself), as in ``make bench``:

1. one full backfill into a fresh SQLite file;
2. ``--reps`` re-runs with nothing changed: wall time, CPU, and the requests the site
   answered, by kind (articles, listing pages, robots.txt) and by status;
3. one ``optally run --full-sweep`` over the same warehouse, for comparison: what every
   re-run cost before runs were incremental (every known article asked for again).

The fixed cost of a run (the same command against a site with no articles) is measured
too, so a re-run's net time can be set against the backfill's.

The archive's newest article is dated 2026-06-30 (``generate.NEWEST``). A live site always
has recent articles; so that the archive has them too, whatever day this runs, the runs set
OPTALLY_RECHECK_DAYS so that the re-check window covers the archive's newest 30 days (the
default window, seen from the day after its newest article). Those are the same articles
at every size (page i of the archive depends on the seed and i only).

``--write`` puts the results between the ``rerun:begin``/``rerun:end`` markers of
docs/BENCHMARKS.md and into benchmarks/last_rerun.json; without it they are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.bench import OPTALLY, REPO, log, machine, write_sources
from benchmarks.generate import NEWEST, generate_pages, recheck_days
from benchmarks.procs import Measured, run_measured
from benchmarks.site import SiteProcess

DOC = REPO / "docs" / "BENCHMARKS.md"
JSON_OUT = REPO / "benchmarks" / "last_rerun.json"
BEGIN, END = "<!-- rerun:begin -->", "<!-- rerun:end -->"
WINDOW_DAYS = 30  # the default recheck_days, seen from the day after the newest article
TARGET_SHARE = 0.10  # of the archive's articles asked for by an unchanged re-run


@dataclass
class Measure:
    """One optally process and what the site answered during it."""

    wall: float
    cpu: float
    requests: int
    articles: int
    listing: int
    not_modified: int

    @classmethod
    def of(cls, m: Measured, stats: dict[str, Any]) -> Measure:
        if not m.ok:
            raise RuntimeError(
                f"{' '.join(m.cmd)} failed (exit {m.returncode}):\n{m.stderr[-3000:]}"
            )
        kinds = stats.get("by_kind", {})
        return cls(
            round(m.wall, 2),
            round(m.cpu, 2),
            int(stats.get("requests", 0)),
            int(kinds.get("article", 0)),
            int(kinds.get("listing", 0)),
            int(stats.get("not_modified", 0)),
        )


@dataclass
class Size:
    pages: int
    listing_pages: int
    in_window: int  # articles the re-check window holds
    backfill: Measure
    reruns: list[Measure]
    sweep: Measure | None

    @property
    def rerun(self) -> Measure:
        """The re-run of median wall time."""
        return sorted(self.reruns, key=lambda r: r.wall)[len(self.reruns) // 2]


class Runner:
    def __init__(self, tmp: Path, recheck_days: int, max_urls: int) -> None:
        self.tmp = tmp
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("OPTALLY_")}
        self.env.pop("PREFECT_API_URL", None)  # the temporary API: the process tree is measured
        self.env.update(
            {
                "PREFECT_HOME": str(tmp / "prefect-home"),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_LOGGING_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
                "OPTALLY_RECHECK_DAYS": str(recheck_days),
                # The default bound (5,000 URLs per source and run) would cut the larger
                # archive in half: raised so that every size is crawled whole.
                "OPTALLY_MAX_URLS_PER_SOURCE": str(max_urls),
            }
        )

    def run(self, site: SiteProcess, sources: Path, db: str, *extra: str) -> Measure:
        site.reset()
        m = run_measured(
            [OPTALLY, "run", "--sources", str(sources), "--db", db, *extra],
            env=self.env,
            cwd=REPO,
        )
        return Measure.of(m, site.stats())

    def db(self, label: str) -> str:
        return f"sqlite:///{self.tmp / f'{label}-{uuid.uuid4().hex[:6]}.db'}"

    def fixed_cost(self, reps: int) -> list[Measure]:
        with SiteProcess(0) as site:
            sources = write_sources(self.tmp / "empty.yaml", site.base_url)
            db = self.db("empty")
            self.run(site, sources, db)  # the first run in a fresh PREFECT_HOME migrates
            return [self.run(site, sources, db) for _ in range(reps)]

    def size(self, pages: int, seed: int, reps: int, sweep: bool) -> Size:
        archive = generate_pages(pages, seed)
        window = NEWEST - timedelta(days=WINDOW_DAYS)
        in_window = sum(1 for p in archive if p.published >= window)
        listing_pages = -(-pages // 16)
        del archive
        with SiteProcess(pages, seed) as site:
            sources = write_sources(self.tmp / f"site-{pages}.yaml", site.base_url)
            db = self.db(f"w{pages}")
            log(f"{pages} pages: backfill")
            backfill = self.run(site, sources, db)
            reruns = []
            for i in range(reps):
                reruns.append(self.run(site, sources, db))
                log(f"{pages} pages: unchanged re-run #{i + 1}: {reruns[-1]}")
            full = None
            if sweep:
                full = self.run(site, sources, db, "--full-sweep")
                log(f"{pages} pages: full sweep: {full}")
        return Size(pages, listing_pages, in_window, backfill, reruns, full)


def render(sizes: list[Size], fixed: list[Measure], info: dict[str, Any]) -> str:
    fixed_s = statistics.median(f.wall for f in fixed)
    out = [
        BEGIN,
        "",
        f"Generated by `{info['command']}`, measured {info['measured_at']} at commit "
        f"{info['machine']['git']}, {info['machine']['cores']} cores, load "
        f"{info['machine']['load_at_start'][0]} at the start. Re-check window: the "
        f"archive's newest {WINDOW_DAYS} days (OPTALLY_RECHECK_DAYS={info['recheck_days']}); "
        f"OPTALLY_MAX_URLS_PER_SOURCE={info['max_urls']}, so that each archive is crawled whole.",
        "",
        "| archive | backfill | unchanged re-run | net of the fixed cost | articles asked for "
        "| listing pages read | full sweep (`--full-sweep`) |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in sizes:
        r = s.rerun
        walls = ", ".join(f"{x.wall:.1f}" for x in s.reruns)
        net = r.wall - fixed_s
        back_net = s.backfill.wall - fixed_s
        sweep = (
            f"{s.sweep.wall:.1f} s; {s.sweep.articles:,} articles and {s.sweep.listing:,} "
            f"listing pages asked for, {s.sweep.not_modified:,} answered 304"
            if s.sweep
            else "not run"
        )
        out.append(
            f"| {s.pages:,} articles, {s.listing_pages:,} listing pages "
            f"| {s.backfill.wall:.1f} s, {s.backfill.requests:,} requests "
            f"| {r.wall:.1f} s (median of {walls} s), {r.requests} requests "
            f"| {net:.1f} s = {net / back_net:.1%} of the backfill's net {back_net:.1f} s "
            f"| {r.articles} of {s.pages:,} ({r.articles / s.pages:.1%}; target <= "
            f"{TARGET_SHARE:.0%}), {r.not_modified} answered 304; {s.in_window} in the window "
            f"| {r.listing} of {s.listing_pages:,} | {sweep} |"
        )
    out += [
        "",
        f"Fixed cost of a run (site with no articles): {fixed_s:.1f} s (median of "
        + ", ".join(f"{f.wall:.1f}" for f in fixed)
        + " s). Requests are counted by the site: a re-run's are robots.txt, the listing "
        "pages it read and the articles it asked for again.",
        "",
        END,
    ]
    return "\n".join(out)


def write_doc(text: str, path: Path = DOC) -> None:
    old = path.read_text(encoding="utf-8")
    if BEGIN not in old or END not in old:
        raise SystemExit(f"{path} has no {BEGIN} ... {END} block to rewrite")
    head, rest = old.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(head + text + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 10_000])
    ap.add_argument("--reps", type=int, default=3, help="unchanged re-runs per size")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-sweep", action="store_true", help="skip the --full-sweep runs")
    ap.add_argument("--write", action="store_true", help="update docs/BENCHMARKS.md")
    args = ap.parse_args(argv)

    days = recheck_days(WINDOW_DAYS)
    tmp = Path(tempfile.mkdtemp(prefix="optally-rerun-"))
    info: dict[str, Any] = {
        "command": "python -m benchmarks.rerun " + " ".join(argv or sys.argv[1:]),
        "machine": machine(),
        "recheck_days": days,
        "max_urls": max(args.sizes),
    }
    try:
        runner = Runner(tmp, days, max(args.sizes))
        fixed = runner.fixed_cost(args.reps)
        sizes = [runner.size(n, args.seed, args.reps, not args.no_sweep) for n in args.sizes]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    info["measured_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = render(sizes, fixed, info)
    print(text)
    if args.write:
        write_doc(text)
        results = {
            "info": info,
            "fixed": [asdict(f) for f in fixed],
            "sizes": [asdict(s) for s in sizes],
        }
        JSON_OUT.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
