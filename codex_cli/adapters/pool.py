"""Work over many notes, in worker processes when there are many.

The one way every whole-vault job (`codex check`, the notes cache, the link
index, "did you mean") spreads over cores: the items are cut into chunks and
`fn(chunk, *args)` runs in a pool of forked processes, one per core (at most
8), or in this process for a small job or where fork is missing. Results
come back in order, chunk by chunk.

Large shared state (an index of every note) is not passed as an argument,
which would pickle it for every chunk: the caller keeps it in a module
global before calling, and the forked workers inherit it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Progress = Callable[[int, int], None]
MAX_WORKERS = 8


def workers() -> int:
    """Cores this process may use (its CPU affinity where the platform tells)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def chunks(
    fn: Callable[..., R],
    items: Sequence[T],
    *args: Any,
    parallel_from: int = 4000,
    step: int = 2000,
    progress: Progress | None = None,
    max_workers: int | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Iterator[tuple[list[T], R]]:
    """(chunk, fn(chunk, *args)) for consecutive chunks of `items`, in order.

    `meanwhile` runs in this process while the workers work (only when there
    are workers): work that would otherwise wait until they are done.
    """
    total = len(items)
    if not total:
        return
    count = min(workers(), max_workers or MAX_WORKERS)
    if total < parallel_from or count < 2 or not can_fork():
        for i in range(0, total, step):
            part = list(items[i : i + step])
            yield part, fn(part, *args)
            if progress:
                progress(min(i + step, total), total)
        return
    import gc
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # What the workers inherit (an index of every note, say) is moved out of
    # the collector's reach first (gc.freeze): collections in the workers would
    # otherwise walk it and write to every object's header, copying its pages.
    size = max(250, total // (count * 32))  # small enough that no worker idles long at the end
    parts = [list(items[i : i + size]) for i in range(0, total, size)]
    done = 0
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("fork")) as pool:
            results = pool.map(fn, parts, *([a] * len(parts) for a in args))  # all submitted: the workers start
            if meanwhile is not None:
                meanwhile()
            for part, result in zip(parts, results, strict=True):
                yield part, result
                done += len(part)
                if progress:
                    progress(done, total)
    finally:
        gc.unfreeze()
