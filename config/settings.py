"""Operational settings in one place, read from the environment (OPTALLY_*)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

CONFIG_DIR = Path(__file__).resolve().parent
DEFAULT_SOURCES_FILE = CONFIG_DIR / "sources.yaml"
CONTACT_URL = "https://github.com/optally/optally"
USER_AGENT = f"optally/0.1 (+{CONTACT_URL}; accountability research crawler)"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPTALLY_", extra="ignore")

    database_url: str = Field(default="sqlite:///data/optally.db")
    sources_file: Path = DEFAULT_SOURCES_FILE
    user_agent: str = USER_AGENT

    # HTTP: the fetcher's retry loop is the only retry layer.
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    # The whole of one request (connect, TLS, headers, body); unset: connect + read timeout.
    total_timeout: float | None = Field(default=None, gt=0)
    max_body_bytes: int = 5 * 1024 * 1024
    max_attempts: int = 4
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    retry_after_max: float = 120.0
    default_rate_limit: float = 1.0  # requests per second per host
    max_redirects: int = 5

    # Orchestration
    # Pages per fetch/extract/resolve/load task. 100 rather than 50: half the task runs,
    # and a 2,000-page backfill spent 30 % less CPU in the Prefect API server and 12 % less
    # in the client, for 20 MB more peak memory (docs/BENCHMARKS.md).
    batch_size: int = 100
    max_workers: int = 4  # threads across hosts
    max_pages: int = 200  # listing pages per backfill
    # Article URLs one source may hand to one run (discovery stops reading there, with a
    # warning): a sitemap of a million URLs would otherwise be hours of fetching. Listings
    # and news sitemaps are newest first, so a daily run keeps what is new; a backfill of a
    # larger source raises this or walks it in --since/--until windows.
    max_urls_per_source: int = Field(default=5000, ge=1)
    # Back-off from URLs that keep failing: after failing in this many runs in a row, a URL
    # is left out for failure_backoff_days, doubled for each further failure, at most
    # failure_backoff_max_days; then it is tried again (fetch_failures counts the runs).
    failure_backoff_after: int = Field(default=3, ge=1)
    failure_backoff_days: float = Field(default=1.0, gt=0)
    failure_backoff_max_days: float = Field(default=30.0, gt=0)
    # Incremental runs (docs/SOURCES.md "What a re-run asks for"): an article a source has
    # already brought into the warehouse is asked for again only while it is recent, i.e.
    # published (else listed, else first seen) within this many days; 0: never. Listing
    # and search pagination stops at the first page that brings nothing new or recent.
    # Corrections to older pages wait for a full sweep (`optally run --full-sweep`).
    recheck_days: int = Field(default=30, ge=0)
    # Worker processes that parse a large run's pages (tasks/extract_pool.py): unset, one
    # fewer than the cores for runs of 300 pages or more; 0, always in process.
    extract_processes: int | None = None

    # Prefect: deployments, schedules and scale-out (flows/deployments.py, prefect.yaml;
    # docs/DEPLOY.md "Operational settings" explains each choice).
    # - Retries: none at the Prefect level, on purpose. The fetcher's loop above retries
    #   each request (backoff, Retry-After); a task retry on top would re-fetch a whole
    #   batch and multiply attempts against a site that is already struggling. A failed
    #   URL is recorded, logged through get_run_logger() and tried again on the next run.
    # - Caching: none. Change detection lives in the warehouse (ETag/Last-Modified,
    #   content hash per page version, parser version per extraction), which is durable,
    #   shared by every machine and queryable; Prefect's task cache would be none of these.
    # - Timeouts: per request in the fetcher (connect/read above); per flow run below, so a
    #   hung run frees its deployment's concurrency slot (limit 1) for the next day's run.
    #   Task timeouts are not used: in the thread pool they cannot interrupt blocking I/O.
    daily_timeout_seconds: float = 4 * 3600
    backfill_timeout_seconds: float = 48 * 3600
    metrics_timeout_seconds: float = 3600
    # Tags on every deployment and flow run, for filtering in the UI and tag-based limits.
    prefect_tags: list[str] = Field(default_factory=lambda: ["optally"])
    # The task runner of the daily and backfill flows and of `optally run`: "threads"
    # (default; the work is I/O-bound) or "dask" (fetch and extract in worker processes:
    # a LocalCluster of dask_workers processes, or the cluster at dask_address).
    task_runner: Literal["threads", "dask"] = "threads"
    dask_address: str | None = None  # e.g. tcp://10.0.0.5:8786
    dask_workers: int = Field(default=2, ge=1)
    # Per-host politeness across processes. The fetcher's pacer spaces requests to a host
    # within one process. "prefect" adds a Prefect global concurrency limit of 1 per host
    # ("optally-host:<host>", created on first use, acquired with strict=True), so crawls
    # in several processes or on several machines never hit one host at once. A run on
    # a process-based task runner (Dask) always uses it; set "prefect" on every machine
    # whose runs may overlap (daily on one worker, a backfill on another).
    host_limits: Literal["process", "prefect"] = "process"

    # Alerts (tasks/notify.py, docs/DEPLOY.md "Alerts"): the webhook that gets each run's
    # digest of new operations and its source health alerts as a JSON POST. A SecretStr:
    # such URLs carry tokens, and its repr, logs and errors show "**********" instead.
    alert_webhook: SecretStr | None = None
    # Seconds to connect and to read the answer: a slow receiver delays the run's end by
    # at most twice this per message, and the message waits for the next run.
    alert_timeout: float = Field(default=5.0, gt=0)
    # A source that stays unhealthy is named again once this many hours have passed since a
    # message last named it (a new reason, or its recovery, is told at once); 0 names it on
    # every run.
    alert_repeat_hours: float = Field(default=24.0, ge=0)
    # Where people open the HTML report (`optally report`, the daily deployment's
    # data/report.html): the digest links each operation's card as <url>#op-<id>.
    alert_report_url: str | None = None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
