"""Throttled progress reporting for long selection loops."""

from __future__ import annotations

from collections.abc import Callable


class Ticker:
    """Calls ``progress(done / total)`` at most about ``reports`` times over a loop.

    ``progress`` may be None (then ``tick`` does nothing); the final call reports 1.0.
    """

    def __init__(self, progress: Callable[[float], None] | None, total: int, reports: int = 50) -> None:
        self.progress = progress
        self.total = max(int(total), 1)
        self.every = max(self.total // max(reports, 1), 1)

    def tick(self, done: int) -> None:
        """Report after step ``done`` (1-based) when it is a reporting step or the last one."""
        if self.progress is not None and (done % self.every == 0 or done >= self.total):
            self.progress(min(done / self.total, 1.0))

    def finish(self) -> None:
        """Report 1.0 (for loops that may stop early, e.g. a converged k-means)."""
        if self.progress is not None:
            self.progress(1.0)


def scaled(progress: Callable[[float], None] | None, lo: float, hi: float) -> Callable[[float], None] | None:
    """A callback mapping a phase's own [0, 1] onto [lo, hi] of the whole job (None stays None)."""
    if progress is None:
        return None
    return lambda fraction: progress(lo + (hi - lo) * fraction)
