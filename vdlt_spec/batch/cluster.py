"""Run plain-data tasks on Dask distributed: an embedded local cluster or a scheduler's address.

One execution layer for every batch command. By default :func:`connect` starts a
``LocalCluster`` of worker processes, one per core and one thread each (a solver or a simulator
holds the GIL, so processes, not threads, run cases side by side). Given an address
(``tcp://HOST:PORT``, or ``DASK_SCHEDULER_ADDRESS`` in the environment) it joins that cluster
instead. Tasks are module-level functions of this package called on JSON-compatible data, so a
worker needs only the installed package. :func:`stream` yields results as they complete; Dask
re-runs a task whose worker died, and ``retries`` re-runs one that raised.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from vdlt_spec.errors import Reason, SpecError

__all__ = [
    "ADDRESS_VARIABLE",
    "CONNECT_TIMEOUT",
    "RETRIES",
    "BatchCluster",
    "connect",
    "stream",
]

#: The environment variable that names a scheduler when no address is given.
ADDRESS_VARIABLE = "DASK_SCHEDULER_ADDRESS"
#: Seconds to wait for a scheduler to answer before giving up in one error line.
CONNECT_TIMEOUT = 10.0
#: Times a task that raised is re-run before its error is reported (a lost worker is separate).
RETRIES = 1


@dataclass(frozen=True)
class BatchCluster:
    """Hold a connected Dask client and where it runs: its address, workers and threads."""

    client: Any
    address: str
    workers: int
    embedded: bool


def _engine() -> Any:
    """Return the ``distributed`` module, imported on first use (it takes a second)."""
    import importlib

    return importlib.import_module("distributed")


def _address(scheduler: str | None) -> str | None:
    """Return the scheduler address asked for: the argument, else the environment, else None."""
    given = scheduler if scheduler is not None else os.environ.get(ADDRESS_VARIABLE)
    return given.strip() if given and given.strip() else None


@contextmanager
def connect(
    scheduler: str | None = None,
    *,
    workers: int | None = None,
    timeout: float | None = None,
) -> Iterator[BatchCluster]:
    """Yield a client on the scheduler at ``scheduler`` or on a new local cluster.

    The local cluster has ``workers`` processes (the machine's cores unless told), one thread
    each, listens on the loopback only and is closed on exit. A scheduler that does not answer
    within ``timeout`` seconds (:data:`CONNECT_TIMEOUT` unless told) is ``SCHEDULER_UNREACHABLE``.
    """
    import logging

    engine = _engine()
    address = _address(scheduler)
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    if workers is not None and workers < 1:
        raise SpecError(Reason.BAD_USAGE, f"workers must be at least 1, got {workers}")
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    if address is not None:
        try:
            client = engine.Client(address, timeout=f"{timeout}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SpecError(
                Reason.SCHEDULER_UNREACHABLE,
                f"no Dask scheduler at {address} within {timeout:g} s ({detail})",
            ) from None
        try:
            yield BatchCluster(client, address, len(client.scheduler_info()["workers"]), False)
        finally:
            with suppress(Exception):
                client.close()
        return
    count = workers or os.cpu_count() or 1
    local = engine.LocalCluster(
        n_workers=count,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",  # the scheduler's HTTP routes on a free port, never a clash
        silence_logs=logging.CRITICAL,
    )
    client = engine.Client(local, set_as_default=False)
    try:
        yield BatchCluster(client, str(local.scheduler_address), count, True)
    finally:
        with suppress(Exception):
            client.close()
        with suppress(Exception):
            local.close()


def stream(
    cluster: BatchCluster,
    task: Callable[..., Any],
    items: Sequence[Any],
    *,
    retries: int = RETRIES,
) -> Iterator[tuple[int, Any]]:
    """Submit ``task(item)`` for every item and yield ``(index, result)`` as each completes.

    Leaving the loop early (a ``break``, Ctrl-C, an error) cancels the tasks not yet done. A
    task that still raises ``SpecError`` after ``retries`` re-runs re-raises it here; any other
    failure (a task's exception, a worker killed on every try, a lost scheduler) is
    ``TASK_FAILED``.
    """
    as_completed = _engine().as_completed
    client = cluster.client
    futures = [client.submit(task, item, pure=False, retries=retries) for item in items]
    index = {f.key: i for i, f in enumerate(futures)}
    try:
        for future in as_completed(futures, loop=client.loop):
            yield index[future.key], _result(future)
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:
            with suppress(Exception):
                client.cancel(pending)


def _result(future: Any) -> Any:
    """Return a finished task's result; a failure other than ``SpecError`` is ``TASK_FAILED``."""
    try:
        return future.result()
    except SpecError:
        raise
    except Exception as exc:
        detail = str(exc).splitlines()[0] if str(exc) else ""
        raise SpecError(
            Reason.TASK_FAILED, f"a task failed: {type(exc).__name__} {detail}".rstrip()
        ) from None
