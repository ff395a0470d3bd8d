"""gunicorn's threaded worker (gthread), taking a new connection only when it has a free place.

gthread's workers all wait on the server's one listening socket, and whichever wakes first
accepts: a worker accepts as long as its main thread gets the CPU, however many of its requests
are already waiting for one of its `QUIZAPP_PAGE_CONCURRENCY` places (`page_gate.py`). Under a
burst (300 live answers in two seconds) one worker fell behind, a second of requests queued at
its gate, while the others had free places (bench/live.py, docs/PERFORMANCE.md "Live mode").

This worker stops accepting while as many of its requests as it has places are being built
(from their acceptance until the app returns their response: a live stream's view returns at
once, so open streams do not count), and accepts again when one is done. The connections it
leaves wait in the kernel's queue of the listening socket, one queue for the whole server, and
go to the first worker with a free place. Already accepted connections (kept alive, or waiting
for their first bytes) are always served. With the gate off (0 places), it is plain gthread.

`gunicorn.conf.py` names it: `worker_class = "quizapp.gunicorn_worker.ThreadWorker"`. It
builds on gthread's own steps as gunicorn 27 has them (`enqueue_req`, `set_accept_enabled`,
the main thread's `method_queue`), hence `gunicorn>=27` (pyproject.toml).
"""

from __future__ import annotations

import threading
from typing import Any

from gunicorn.workers import gthread

from .page_gate import places_setting


class ThreadWorker(gthread.ThreadWorker):
    """gthread, accepting only while a place of its page gate is free (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places = 0  # 0: accept as gthread does (set from the app's settings, `load_wsgi`)
        self.building = 0  # requests accepted and not yet answered by the app (main thread's)
        self._handling = threading.local()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        app: Any = self.wsgi
        config = getattr(app, "config", None)
        if config is None or "PAGE_CONCURRENCY" not in config:
            return  # not quizapp's app (gunicorn's error page after a failed reload)
        self.places = places_setting(config["PAGE_CONCURRENCY"])

        def counted(environ: Any, start_response: Any) -> Any:
            try:
                return app(environ, start_response)
            finally:
                self._built(getattr(self._handling, "conn", None))

        self.wsgi: Any = counted

    def enqueue_req(self, conn: Any) -> None:
        # On the main thread: a new connection, or a request on a kept-alive or waiting one.
        conn.quizapp_building = True
        self.building += 1
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        self._handling.conn = conn
        if not conn.initialized and not conn.wait_for_data(0):
            # Nothing sent yet (a slow client: gthread waits a few seconds for its first bytes,
            # then leaves it to its loop): it holds no place meanwhile, or a few idle
            # connections would stop the worker from taking others.
            self._built(conn)
        try:
            return super().handle(conn)
        finally:
            self._handling.conn = None
            self._built(conn)  # never reached the app (no data yet, a bad request, a hang-up)

    def _built(self, conn: Any) -> None:
        """The app answered `conn`'s request (or it never reached the app): one place less in
        use, counted on the main thread, which it wakes to accept again."""
        if conn is not None and getattr(conn, "quizapp_building", False):
            conn.quizapp_building = False
            self.method_queue.defer(self._one_less)

    def _one_less(self) -> None:
        self.building -= 1
        if self.alive and not self._accepting and self.nr_conns < self.worker_connections:
            self.set_accept_enabled(True)

    def accept(self, listener: Any) -> None:
        super().accept(listener)
        if self._full():
            super().set_accept_enabled(False)

    def set_accept_enabled(self, enabled: bool) -> None:
        # gthread's loop turns accepting on whenever it is under its connection limit (`run`);
        # here only while a place is free, too.
        super().set_accept_enabled(enabled and not self._full())

    def _full(self) -> bool:
        return bool(self.places) and self.building >= self.places
