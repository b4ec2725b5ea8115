"""The flows behind the deployments, their typed parameters, and the deployment table.

Four deployments (prefect.yaml for workers, `optally serve` for one machine):

- ``daily``: the sources meant for daily runs (``schedule: daily`` or ``both``), then the
  ``metrics`` subflow (every operation's metrics and the HTML report); 06:00 London time.
- ``backfill``: manual; the backfill sources (or the named ones) between two dates.
- ``metrics``: flows/metrics.py; after each daily run and on demand.
- ``nrm-stats``: flows/nrm.py; the NRM official statistics, quarterly.

Parameters are validated by pydantic twice: Prefect checks each one against its type
when a run starts (and the API checks the JSON schema when a run is created, since
deployments enforce their parameter schema), and ``BackfillParams`` adds the checks
that involve several parameters, such as ``since <= until``.
"""

from __future__ import annotations

import contextlib
import importlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from prefect import Flow, flow, get_run_logger
from prefect.exceptions import ParameterTypeError
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from config.settings import Settings, get_settings
from config.sources import Source, load_sources, select_sources
from flows.etl import run_pipeline
from flows.metrics import DEFAULT_REPORT_PATH, metrics

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    """Dates as YYYY-MM-DD only: not a timestamp, not "20240101", not a datetime."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid date: {exc}") from None
    raise ValueError(f"expected an ISO date YYYY-MM-DD, got {value!r}")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
PositiveInt = Annotated[int, Field(ge=1)]


class BackfillParams(BaseModel):
    """What a backfill run may be asked for; every check in one place."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: list[str] | None = Field(
        default=None, description="source names from the sources file; none = every backfill source"
    )
    since: IsoDate | None = Field(default=None, description="skip articles published before")
    until: IsoDate | None = Field(default=None, description="skip articles published after")
    max_pages: PositiveInt = Field(
        default_factory=lambda: get_settings().max_pages,
        description="listing pages per source, at most",
    )
    full_sweep: bool = Field(
        default=False,
        description="walk every listing to its end and ask again for every known article",
    )
    sources_file: str | None = None
    db_url: str | None = None

    @field_validator("sources")
    @classmethod
    def _names(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return None
        names = [n.strip() for n in v]
        if not names or any(not n for n in names):
            raise ValueError("give source names, or leave sources empty for every backfill source")
        if len(set(names)) != len(names):
            raise ValueError("a source name is given twice")
        return names

    @model_validator(mode="after")
    def _range(self) -> BackfillParams:
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")
        return self


def check_backfill_params(**params: Any) -> BackfillParams:
    """``BackfillParams`` or Prefect's own parameter error, so a bad backfill reads the same
    whichever check caught it: "Flow run received invalid parameters: - since: ..."."""
    try:
        return BackfillParams(**params)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            # The only check without a field of its own is the date range.
            where = ".".join(str(x) for x in err["loc"]) or "since, until"
            lines.append(f" - {where}: {str(err['msg']).removeprefix('Value error, ')}")
        raise ParameterTypeError(
            "Flow run received invalid parameters:\n" + "\n".join(lines)
        ) from None


# ---------------------------------------------------------------------------
# Task runners


def make_task_runner(
    kind: Literal["threads", "dask"] | None = None,
    address: str | None = None,
    settings: Settings | None = None,
) -> TaskRunner[Any]:
    """The task runner of a crawl: a bounded thread pool, or Dask.

    Dask: the cluster at ``address`` (``tcp://host:8786``), else a LocalCluster of
    ``dask_workers`` processes on 127.0.0.1 without a dashboard. Fetch and extract tasks
    then run in those processes, so their inputs and outputs travel pickled.
    """
    settings = settings or get_settings()
    kind = "dask" if address else (kind or settings.task_runner)
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=settings.max_workers)
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError:
        raise ImportError(
            "the dask task runner needs prefect-dask: pip install -e '.[dask]'"
        ) from None

    address = address or settings.dask_address
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": settings.dask_workers,
            "processes": True,
            "threads_per_worker": 1,
            "dashboard_address": None,
            "host": "127.0.0.1",
        }
    )


@contextlib.contextmanager
def api_for_workers(task_runner: TaskRunner[Any]) -> Iterator[None]:
    """Give Dask worker processes the same Prefect API as this process.

    Without PREFECT_API_URL the client starts a temporary API server, but only in this
    process: each Dask worker would start one of its own (measured: about 12 s each, and
    their task runs end up in a database the UI never shows). So start the temporary
    server here and hand its URL on; Prefect's Dask runner passes settings to workers.
    """
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_SERVER_EPHEMERAL_ENABLED,
        temporary_settings,
    )

    if (
        isinstance(task_runner, ThreadPoolTaskRunner)
        or PREFECT_API_URL.value()
        or not PREFECT_SERVER_EPHEMERAL_ENABLED.value()
    ):
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the same instance the client would start; stopped at exit
    server.start()
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield


# ---------------------------------------------------------------------------
# Flows


def crawl(
    schedule: Literal["daily", "backfill"],
    *,
    names: Sequence[str] | None,
    sources_file: str | None,
    db_url: str | None,
    since: date | None,
    until: date | None,
    max_pages: int | None,
    full_sweep: bool = False,
) -> dict[str, Any]:
    """Load the sources file, pick the ``schedule``'s sources (or the named ones), run the ETL."""
    settings = get_settings()
    path = Path(sources_file) if sources_file else settings.sources_file
    chosen: list[Source] = select_sources(load_sources(path), schedule)
    if names:
        known = [s.name for s in chosen]
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(
                f"unknown {schedule} source(s) {', '.join(map(repr, unknown))}; "
                f"the {schedule} sources in {path} are: {', '.join(known) or 'none'}"
            )
        chosen = [s for s in chosen if s.name in names]
    logger = get_run_logger()
    logger.info("%s: %d sources: %s", schedule, len(chosen), ", ".join(s.name for s in chosen))
    summary = run_pipeline(chosen, db_url, since, until, max_pages, full_sweep=full_sweep)
    out = summary.as_dict()
    # Every failed URL was already logged with its reason by the task that met it; this
    # line makes the count visible on the flow run itself.
    logger.info("%s summary: %s", schedule, {k: v for k, v in out.items() if k != "failures"})
    return out


_SETTINGS = get_settings()


@flow(
    name="daily",
    task_runner=make_task_runner(settings=_SETTINGS),
    timeout_seconds=_SETTINGS.daily_timeout_seconds,
)
def daily(
    sources_file: str | None = None,
    db_url: str | None = None,
    lookback_days: PositiveInt | None = None,
    max_pages: PositiveInt | None = None,
    report_path: str = DEFAULT_REPORT_PATH,
) -> dict[str, Any]:
    """Crawl the daily sources, extract, load and derive; then refresh every operation's
    metrics and write the HTML report (the `metrics` subflow).

    Args:
        sources_file: The sources file (default: $OPTALLY_SOURCES_FILE or config/sources.yaml).
        db_url: The warehouse (default: $OPTALLY_DATABASE_URL or sqlite:///data/optally.db).
        lookback_days: Skip articles published more than this many days ago (default: none;
            daily sources are short feeds, and an unchanged page costs a conditional GET).
        max_pages: Listing pages per source, at most (default: each source's own limit).
        report_path: Where the HTML report goes, relative to the run's working directory.
    """
    since = date.today() - timedelta(days=lookback_days) if lookback_days else None
    etl_summary = crawl(
        "daily",
        names=None,
        sources_file=sources_file,
        db_url=db_url,
        since=since,
        until=None,
        max_pages=max_pages,
    )
    return {"etl": etl_summary, "metrics": metrics(db_url=db_url, report_path=report_path)}


@flow(
    name="backfill",
    task_runner=make_task_runner(settings=_SETTINGS),
    timeout_seconds=_SETTINGS.backfill_timeout_seconds,
)
def backfill(
    sources: list[str] | None = None,
    since: IsoDate | None = None,
    until: IsoDate | None = None,
    max_pages: PositiveInt = _SETTINGS.max_pages,
    sources_file: str | None = None,
    db_url: str | None = None,
    full_sweep: bool = False,
) -> dict[str, Any]:
    """Walk the archives of the backfill sources between two dates. A listing is read
    until a page brings nothing new; articles already in the warehouse are asked for
    again (conditionally) only when recent (``recheck_days``) or with ``full_sweep``;
    metrics are derived as usual.

    Args:
        sources: Names of sources from the sources file (default: every backfill source).
        since: Skip articles published before this day (YYYY-MM-DD).
        until: Skip articles published after this day (YYYY-MM-DD).
        max_pages: Listing pages per source, at most.
        sources_file: The sources file (default: $OPTALLY_SOURCES_FILE or config/sources.yaml).
        db_url: The warehouse (default: $OPTALLY_DATABASE_URL or sqlite:///data/optally.db).
        full_sweep: Walk every listing to its end and ask again for every known article, for
            corrections of old pages, or to finish a walk that was cut short.
    """
    p = check_backfill_params(
        sources=sources,
        since=since,
        until=until,
        max_pages=max_pages,
        sources_file=sources_file,
        db_url=db_url,
        full_sweep=full_sweep,
    )
    return crawl(
        "backfill",
        names=p.sources,
        sources_file=p.sources_file,
        db_url=p.db_url,
        since=p.since,
        until=p.until,
        max_pages=p.max_pages,
        full_sweep=p.full_sweep,
    )


# ---------------------------------------------------------------------------
# The deployment table: `optally serve` builds from it, and a test holds prefect.yaml to it.


@dataclass(frozen=True)
class DeploymentSpec:
    name: str  # deployment name; the flow has the same name ('daily/daily')
    entrypoint: str  # path:function, as in prefect.yaml
    description: str
    tags: tuple[str, ...]
    cron: str | None = None  # None: manual only
    timezone: str = "Europe/London"  # cron in London wall-clock time, DST-aware

    @property
    def module(self) -> str:
        """The entrypoint's module: "flows/deployments.py:daily" -> "flows.deployments"."""
        return self.entrypoint.split(":")[0].removesuffix(".py").replace("/", ".")

    def load_flow(self) -> Flow[..., Any]:
        """The entrypoint's flow, imported as a module (the package is installed), so the
        flow object is the same one every other import of the module sees."""
        flow_obj = getattr(importlib.import_module(self.module), self.entrypoint.split(":")[1])
        if not isinstance(flow_obj, Flow):
            raise TypeError(f"{self.entrypoint} is not a Prefect flow")
        return flow_obj


DEPLOYMENTS: tuple[DeploymentSpec, ...] = (
    DeploymentSpec(
        "daily",
        "flows/deployments.py:daily",
        "Crawl the daily sources, load and derive; then refresh metrics and the HTML report.",
        ("etl", "daily"),
        cron="0 6 * * *",
    ),
    DeploymentSpec(
        "backfill",
        "flows/deployments.py:backfill",
        "Walk the source archives between two dates (manual; set sources, since, until).",
        ("etl", "backfill"),
    ),
    DeploymentSpec(
        "metrics",
        "flows/metrics.py:metrics",
        "Recompute every operation's derived metrics and write the HTML report.",
        ("metrics",),
    ),
    DeploymentSpec(
        "nrm-stats",
        "flows/nrm.py:nrm_stats",
        "Load the quarterly NRM official statistics from GOV.UK.",
        ("nrm", "official-statistics"),
        # Published early in Feb, May, Aug and Nov; the 15th leaves a margin for delays.
        cron="0 7 15 2,5,8,11 *",
    ),
)


def deployment_tags(spec: DeploymentSpec, settings: Settings | None = None) -> list[str]:
    return [*(settings or get_settings()).prefect_tags, *spec.tags]
