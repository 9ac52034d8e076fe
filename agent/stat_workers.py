"""A tiny pool of daemon threads for calls that may hang forever (statvfs on a dead NFS server).

concurrent.futures' pool joins its threads at interpreter exit, so one hung NFS mount would stop
the agent from ever exiting; these threads are daemons, and the pool grows (up to a cap) when all
workers are stuck so one hung mount does not delay the healthy ones.
"""

import queue
import threading
from concurrent.futures import Future
from typing import Any, Callable, Tuple


class StatWorkers:
    def __init__(self, max_threads: int = 8) -> None:
        # queue.Queue, not SimpleQueue (3.7); body annotations are never evaluated, hence novermin
        self._jobs: queue.Queue[Tuple[Future[Any], Callable[[], Any]]] = queue.Queue()  # novermin
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0
        self._max_threads = max_threads

    def submit(self, call: Callable[[], Any]) -> "Future[Any]":
        future: Future[Any] = Future()  # novermin
        with self._lock:
            if self._idle == 0 and self._threads < self._max_threads:
                self._threads += 1
                self._idle += 1
                threading.Thread(target=self._work, name="statvfs", daemon=True).start()
            self._idle -= 1  # reserved for this job; given back when the job finishes
        self._jobs.put((future, call))
        return future

    @property
    def threads(self) -> int:
        return self._threads

    def _work(self) -> None:
        while True:
            future, call = self._jobs.get()
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(call())
                except BaseException as exc:
                    future.set_exception(exc)
            with self._lock:
                self._idle += 1
