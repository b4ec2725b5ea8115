"""Per-host slots across processes: politeness when a run's tasks are not all in one process.

The Fetcher paces each host within its process (tasks/politeness.py). When a run's
tasks may run in several processes (a Dask runner), or the settings ask for limits across
machines (``OPTALLY_HOST_LIMITS=prefect``), each discover and fetch task holds a Prefect
global concurrency limit named for its host (limit 1) while it talks to that host.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator

from prefect.task_runners import ThreadPoolTaskRunner

from config.settings import get_settings

HOST_LIMIT_PREFIX = "optally-host:"


def host_slots_needed() -> bool:
    """Whether this run's tasks may run in several processes (a Dask runner), or the
    settings ask for cross-machine host limits: each process's Fetcher paces hosts alone."""
    from prefect.context import FlowRunContext

    if get_settings().host_limits == "prefect":
        return True
    ctx = FlowRunContext.get()
    return ctx is not None and not isinstance(ctx.task_runner, ThreadPoolTaskRunner)


def ensure_host_limits(hosts: Iterable[str]) -> None:
    """Create the per-host global concurrency limits (limit 1) that do not exist yet."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    with get_client(sync_client=True) as client:
        for host in sorted(set(hosts) - {""}):
            name = f"{HOST_LIMIT_PREFIX}{host}"
            try:
                client.read_global_concurrency_limit_by_name(name)
            except ObjectNotFound:
                # An operator's own limit under this name is kept as it is.
                with contextlib.suppress(ObjectAlreadyExists):  # another run was first
                    client.create_global_concurrency_limit(
                        GlobalConcurrencyLimitCreate(name=name, limit=1)
                    )


@contextlib.contextmanager
def host_slot(host: str | None, rate_limit: float, enabled: bool) -> Iterator[None]:
    """Hold the host's global slot while a task talks to it (no-op unless ``enabled``).

    strict=True: a missing limit fails the task instead of silently not throttling. The
    slot is kept for one pacing interval after the work, so the next holder's first
    request cannot follow this one's last too soon.
    """
    if not enabled or not host:
        yield
        return
    from prefect.concurrency.sync import concurrency

    with concurrency(f"{HOST_LIMIT_PREFIX}{host}", occupy=1, strict=True):
        yield
        if rate_limit > 0:
            time.sleep(1.0 / rate_limit)
