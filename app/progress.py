"""A progress display for long runs (rich), fed by the pipeline's start/advance calls."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class RunProgress:
    def __init__(self, console: Console | None = None) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("batches"),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
            transient=False,
        )
        self._tasks: dict[str, int] = {}

    def __enter__(self) -> RunProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def start(self, name: str, total: int) -> None:
        self._tasks[name] = self._progress.add_task(name, total=total)

    def advance(self, name: str) -> None:
        if name in self._tasks:
            self._progress.advance(self._tasks[name])


_current: RunProgress | None = None


def set_current(progress: RunProgress | None) -> None:
    """The CLI installs its display here; flows running in the same process report to it."""
    global _current
    _current = progress


def current() -> RunProgress | None:
    return _current
