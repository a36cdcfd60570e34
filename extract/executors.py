"""Batch ingest, the executors: partitions in, results out, in input order, run in-process, on a
process pool of this machine, or on a Dask cluster; each runs :func:`batchwork.process_partition`."""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .batchwork import _crash, _init_pool_worker, _pool_partition, process_partition
from .errors import InputError
from .runlog import SeenManager, watch_driver
from .runs import RunSeen

WINDOW_PER_WORKER = 4          # partitions in flight per worker


# --- executors: partitions in, results out, in input order -------------------------------------

def run_in_process(parts: list[list[dict]], known: Mapping[str, tuple], ner_model: str | None = None) -> Iterator[list[dict]]:
    seen = RunSeen()
    for part in parts:
        yield process_partition(part, known, ner_model, seen)


@dataclass
class LocalPool:
    """The process pool of :func:`start_pool`: its manager (the run's :class:`RunLog`) and executor."""

    workers: int
    ner_model: str | None
    context: object               # the "spawn" multiprocessing context
    manager: SeenManager
    seen: object                  # the manager's RunLog proxy
    executor: object = None       # a ProcessPoolExecutor, replaced when a worker dies

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.manager.shutdown()


def start_pool(workers: int, ner_model: str | None = None) -> LocalPool:
    """Start the manager and ``workers`` spawned worker processes now, so that they load their
    pipelines while the driver prepares the run (reads the store: what it knows, its MinHashes)."""
    import multiprocessing as mp

    spawn = mp.get_context("spawn")  # a clean interpreter, whose parent is this process (see the watchdog)
    manager = SeenManager(ctx=spawn)
    manager.start(initializer=watch_driver, initargs=(os.getpid(),))
    pool = LocalPool(workers, ner_model, spawn, manager, manager.RunLog())
    _new_executor(pool)
    return pool


def _new_executor(pool: LocalPool) -> None:
    from concurrent.futures import ProcessPoolExecutor

    pool.executor = ProcessPoolExecutor(max_workers=pool.workers, mp_context=pool.context,
                                        initializer=_init_pool_worker,
                                        initargs=(pool.ner_model, os.getpid(), pool.seen))
    for _ in range(pool.workers):  # the executor spawns a worker per submitted task: all of them, now
        pool.executor.submit(os.getpid)


def run_on_pool(parts: list[list[dict]], known: Mapping[str, tuple], pool: LocalPool) -> Iterator[list[dict]]:
    """The partitions on ``pool`` (see :func:`start_pool`), at most ``WINDOW_PER_WORKER`` ×
    workers in flight; ``known`` reaches the workers through the manager. A worker that dies (a
    crash, the OOM killer) breaks the pool: the pool is restarted and the partitions in flight
    re-run one at a time, and a partition that kills a worker again becomes an error for each of
    its files."""
    from concurrent.futures.process import BrokenProcessPool

    pool.seen.set_known(dict(known))
    pending = deque(parts)
    in_flight: deque = deque()
    isolate = 0  # partitions still to run one at a time after a crash
    while pending or in_flight:
        limit = 1 if isolate else pool.workers * WINDOW_PER_WORKER
        while pending and len(in_flight) < limit:
            part = pending.popleft()
            in_flight.append((part, pool.executor.submit(_pool_partition, part)))
        part, future = in_flight.popleft()
        try:
            result = future.result()
        except BrokenProcessPool:
            pool.executor.shutdown(wait=False, cancel_futures=True)
            _new_executor(pool)
            if isolate:  # it was running alone: this partition kills its worker
                isolate -= 1
                yield [{**t, "error": f"{t['path']}: a worker process died reading or extracting it",
                        "error_path": t["path"], "docs": []} for t in part]
                continue
            retry = [part] + [p for p, _ in in_flight]
            in_flight.clear()
            pending.extendleft(reversed(retry))
            isolate = len(retry)
            continue
        if isolate:
            isolate -= 1
        yield result


def run_on_dask(parts: list[list[dict]], known: Mapping[str, tuple], address: str, workers: int,
                ner_model: str | None = None) -> Iterator[list[dict]]:
    """A ``dask.bag`` whose partitions are ``parts``, ``map_partitions(process_partition)``;
    partitions computed a window at a time and gathered in order. ``address`` is a scheduler
    (tcp://host:8786) or ``local`` for a ``LocalCluster`` of ``workers`` single-threaded processes.
    A partition that fails on the cluster (its worker lost too often) becomes an error per file."""
    import logging

    import dask
    import dask.bag as dask_bag
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            client = Client(address, timeout="30s")
    except (OSError, TimeoutError) as e:
        if cluster is not None:
            cluster.close()
        raise InputError(address, f"cannot reach the Dask scheduler ({type(e).__name__}: {e})") from None
    try:
        from .daskplugin import LoadPipelines

        client.register_plugin(LoadPipelines(ner_model))
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        bag = dask_bag.from_delayed([dask.delayed(part, traverse=False) for part in parts])
        results = bag.map_partitions(process_partition, known=dask.delayed(known, traverse=False),
                                     ner_model=ner_model).to_delayed()
        pending = deque(zip(parts, results))
        in_flight: deque = deque()
        while pending or in_flight:
            while pending and len(in_flight) < n_workers * WINDOW_PER_WORKER:
                part, delayed_result = pending.popleft()
                in_flight.append((part, client.compute(delayed_result)))
            part, future = in_flight.popleft()
            try:
                result = list(future.result())
            except Exception as e:  # KilledWorker and the like: the files are refused, the run goes on
                reason = _crash("the Dask task failed", e)
                result = [{**t, "error": f"{t['path']}: {reason}", "error_path": t["path"], "docs": []} for t in part]
            future.release()
            yield result
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
