"""At most a few requests of a worker process build their response at once; the others wait.

gunicorn's threaded workers (gunicorn.conf.py) run up to `QUIZAPP_THREADS` requests at once,
200 by default, because live mode holds an event stream open per player. Building a page is
CPU work under Python's GIL: a hundred pages built at once share the CPU and all finish late,
where a few at a time, first come first served, finish one after another. Measured with
`bench/classroom.py` (300 students, PostgreSQL, 2 cores): p99 552 ms with 100 threads and no
gate, 204 ms with 4 threads (docs/PERFORMANCE.md).

The gate holds a place while the app builds a response, not while the server sends it: an
event stream's view returns at once with a generator, which runs after its place is given
back, so streams never hold places, however long they stay open. `QUIZAPP_PAGE_CONCURRENCY`
sets the number of places (0: no gate).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class PageGate:
    """WSGI middleware: `places` calls of the wrapped app at once in this process."""

    def __init__(self, app: WSGIApplication, places: int) -> None:
        self.app = app
        self.places = places
        # threading.Semaphore wakes its waiters in the order they came (a request arriving as
        # a place frees may take it first: near enough to first come, first served).
        self._semaphore = threading.Semaphore(places)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        with self._semaphore:
            return self.app(environ, start_response)


def places_setting(value: Any) -> int:
    """QUIZAPP_PAGE_CONCURRENCY as a number of places; a clear message when it is not one."""
    text = str(value).strip()
    if not text.isdigit():
        raise SystemExit(
            f"quizapp: QUIZAPP_PAGE_CONCURRENCY must be a whole number, 0 or more (got {text!r})"
        )
    return int(text)
