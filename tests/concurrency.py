"""Racing real threads: started together behind a barrier, so no call waits for another."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any


def run_at_once(fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> list[BaseException]:
    """``fn(*args)`` for every ``args`` in ``calls``, each in its own thread, all released at once;
    returns the exceptions they raised."""
    barrier, errors = threading.Barrier(len(calls)), []

    def run(args: tuple[Any, ...]) -> None:
        barrier.wait()
        try:
            fn(*args)
        except BaseException as exc:  # collected: the caller asserts on them
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
