"""The progress bar of a long run (`score`, `portfolio`): on stderr, and only when stderr is a terminal, so
pipes, files and CI logs never get its control sequences. Here in the terminal layer because it is rich's."""

from __future__ import annotations

import sys
from typing import Protocol


class Progress(Protocol):
    def advance(self) -> None: ...

    def close(self) -> None: ...


class _NoProgress:
    def advance(self) -> None:
        pass

    def close(self) -> None:
        pass


class _Bar:
    def __init__(self, total: int, description: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        self.progress = RichProgress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = self.progress.add_task(description, total=total)
        self.progress.start()

    def advance(self) -> None:
        self.progress.advance(self.task)

    def close(self) -> None:
        self.progress.stop()


def progress_bar(total: int, description: str = "scoring") -> Progress:
    """A bar counting `total` files, or nothing when stderr is not a terminal or there is only one file."""
    return _Bar(total, description) if sys.stderr.isatty() and total > 1 else _NoProgress()
