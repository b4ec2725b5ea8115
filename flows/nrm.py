"""The NRM statistics flow: GOV.UK collection -> quarterly releases -> ODS tables -> warehouse.

Wiring only: discovery and parsing are tasks/nrm.py, writes are db/nrm.py, HTTP is
tasks.fetch.Fetcher (robots.txt, pacing, retries, size cap, allowed hosts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from config.settings import get_settings
from db.engine import get_engine
from db.load import utcnow
from db.nrm import store_release
from tasks.fetch import Fetcher
from tasks.nrm import (
    NrmTableNotFound,
    Release,
    parse_referrals_ods,
    releases,
    table_attachments,
)

COLLECTION_URL = (
    "https://www.gov.uk/api/content/government/collections/national-referral-mechanism-statistics"
)
# The Content API and the attachment store (docs/SOURCES.md, "NRM statistics").
GOVUK_HOSTS: tuple[str, ...] = ("www.gov.uk", "assets.publishing.service.gov.uk")
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True, slots=True)
class HttpPolicy:
    allowed_hosts: tuple[str, ...]
    rate_limit: float | None
    allow_private: bool


@dataclass
class NrmSummary:
    releases: int = 0
    files: int = 0
    rows: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "releases": self.releases,
            "files": self.files,
            "rows": self.rows,
            "failed": len(self.failures),
            "failures": self.failures,
        }


class _FetchFailed(Exception):
    pass


def _get(fetcher: Fetcher, url: str, policy: HttpPolicy, accept: str) -> bytes:
    result = fetcher.fetch(
        url,
        allowed_hosts=policy.allowed_hosts,
        rate_limit=policy.rate_limit,
        allow_private=policy.allow_private,
        accept=accept,  # type: ignore[arg-type]
    )
    if not result.ok or result.body is None:
        raise _FetchFailed(f"{url}: {result.error or f'status {result.status}'}")
    return result.body


def _json(fetcher: Fetcher, url: str, policy: HttpPolicy) -> dict[str, Any]:
    body = _get(fetcher, url, policy, "json")
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise _FetchFailed(f"{url}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise _FetchFailed(f"{url}: not a Content API item")
    return data


# The tasks never raise: a failed URL is reported and the flow carries on with the others.


@task(name="nrm-releases", cache_policy=NO_CACHE, tags=["http"])
def releases_task(
    fetcher: Fetcher, collection_url: str, policy: HttpPolicy
) -> tuple[list[Release], list[dict[str, str]]]:
    """The collection's releases, newest first."""
    try:
        return releases(_json(fetcher, collection_url, policy), collection_url), []
    except _FetchFailed as exc:
        return [], [{"url": collection_url, "reason": str(exc)}]


@task(name="nrm-release", cache_policy=NO_CACHE, tags=["http"])
def release_task(
    fetcher: Fetcher, release: Release, policy: HttpPolicy, db_url: str | None
) -> tuple[int, int, list[dict[str, str]]]:
    """Load one release's data tables. Returns (files loaded, rows, failures)."""
    failures: list[dict[str, str]] = []
    files = rows = 0
    try:
        item = _json(fetcher, release.api_url, policy)
    except _FetchFailed as exc:
        return 0, 0, [{"url": release.api_url, "reason": str(exc)}]
    attachments = table_attachments(item, release.api_url)
    if not attachments:
        return 0, 0, [{"url": release.api_url, "reason": "no ODS data tables attached"}]
    engine = get_engine(db_url)
    for a in attachments:
        try:
            parsed = parse_referrals_ods(_get(fetcher, a.url, policy, "any"))
        except _FetchFailed as exc:
            failures.append({"url": a.url, "reason": str(exc)})
            continue
        except (NrmTableNotFound, ValueError, KeyError) as exc:  # odfpy raises KeyError too
            failures.append({"url": a.url, "reason": f"unreadable tables: {exc}"})
            continue
        with engine.begin() as conn:
            rows += store_release(
                conn,
                parsed,
                source_url=a.url,
                release_title=release.title or None,
                release_published=release.published,
                loaded_at=utcnow(),
            )
        files += 1
    return files, rows, failures


def http_policy(
    collection_url: str, rate_limit: float | None, allow_private: bool | None
) -> HttpPolicy:
    host = (urlsplit(collection_url).hostname or "").lower()
    # A collection served from this machine (tests, a mirror) needs private addresses; the
    # public site never does.
    private = host in _LOOPBACK if allow_private is None else allow_private
    return HttpPolicy(tuple(dict.fromkeys((host, *GOVUK_HOSTS))), rate_limit, private)


@flow(name="nrm-stats")
def nrm_stats(
    db_url: str | None = None,
    collection_url: str = COLLECTION_URL,
    max_releases: int = 4,
    rate_limit: float | None = None,
    allow_private: bool | None = None,
) -> dict[str, Any]:
    """Load NRM referrals per quarter and age group from the newest ``max_releases`` GOV.UK
    releases that carry ODS data tables, for official context next to operation figures.

    ``rate_limit``: requests per second per host (None: the settings default).
    ``allow_private``: None allows private addresses only for a loopback collection URL.
    """
    logger = get_run_logger()
    policy = http_policy(collection_url, rate_limit, allow_private)
    get_engine(db_url)  # migrate before loading
    summary = NrmSummary()
    with Fetcher(get_settings()) as fetcher:
        found, failures = releases_task(fetcher, collection_url, policy)
        summary.failures.extend(failures)
        # Newest first; a release without readable tables does not count towards the limit.
        for release in found:
            if summary.releases >= max_releases:
                break
            files, rows, failures = release_task(fetcher, release, policy, db_url)
            summary.failures.extend(failures)
            if files:
                summary.releases += 1
                summary.files += files
                summary.rows += rows
    for f in summary.failures:
        logger.warning("nrm: %s: %s", f["url"], f["reason"])
    logger.info("nrm: %s", {k: v for k, v in summary.as_dict().items() if k != "failures"})
    return summary.as_dict()
