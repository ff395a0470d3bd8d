"""The gunicorn worker (quizapp/gunicorn_worker.py) takes a new connection only while it has a
free place: the others wait in the listening socket's queue for any worker; open streams do not
hold places. Driven turn by turn as gthread's own loop drives it, on a real socket."""

from __future__ import annotations

import os
import selectors
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger
from gunicorn.workers import gthread

from quizapp.gunicorn_worker import ThreadWorker

REQUEST = b"GET /%s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"


class App:
    """A WSGI app whose requests wait until the test lets them go: `/page` builds its response
    (inside the app) until released; `/stream` returns at once a body that waits."""

    def __init__(self, places: int) -> None:
        self.config = {"PAGE_CONCURRENCY": places}
        self.entered: list[str] = []
        self.release = {"page": threading.Semaphore(0), "stream": threading.Event()}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ["PATH_INFO"].strip("/")
        self.entered.append(path)
        start_response("200 OK", [("Content-Type", "text/plain")])
        if path == "stream":
            return self.stream()
        self.release["page"].acquire()
        return [b"page"]

    def stream(self) -> Iterator[bytes]:
        yield b"first\n"
        self.release["stream"].wait()
        yield b"last\n"


@pytest.fixture
def worker() -> Iterator[tuple[ThreadWorker, socket.socket, App]]:
    listener = socket.create_server(("127.0.0.1", 0), backlog=16)
    cfg = Config()
    cfg.set("threads", 8)
    app = App(places=2)
    loader = type("Loader", (), {"wsgi": lambda self: app})()
    made = ThreadWorker(1, os.getpid(), [listener], loader, 30, cfg, Logger(cfg))
    made.tpool = made.get_thread_pool()
    made.poller = selectors.DefaultSelector()
    made.method_queue.init()
    made.poller.register(
        made.method_queue.fileno(), selectors.EVENT_READ, made.method_queue.run_callbacks
    )
    made.load_wsgi()
    made.set_accept_enabled(True)
    try:
        yield made, listener, app
    finally:
        app.release["stream"].set()
        for _ in range(8):
            app.release["page"].release()
        made.tpool.shutdown(wait=True)
        made.poller.close()
        made.method_queue.close()
        made.tmp.close()
        listener.close()


def turn(worker: ThreadWorker) -> None:
    """One turn of gthread's loop (`ThreadWorker.run`)."""
    can_accept = worker.nr_conns < worker.worker_connections
    if can_accept != worker._accepting:
        worker.set_accept_enabled(can_accept)
    worker.wait_for_and_dispatch_events(timeout=0.05)


def turn_until(worker: ThreadWorker, done: Callable[[], bool]) -> None:
    for _ in range(200):
        if done():
            return
        turn(worker)
    raise AssertionError("the worker never got there")


class Client:
    """A browser's request: sent at once, its response read to the end (then it hangs up, as
    gunicorn's graceful close expects)."""

    def __init__(self, listener: socket.socket, path: bytes) -> None:
        self.socket = socket.create_connection(listener.getsockname())
        self.socket.sendall(REQUEST % path)
        self.response = b""
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self) -> None:
        while chunk := self.socket.recv(4096):
            self.response += chunk
        self.socket.close()

    def answered(self) -> bool:
        self.reader.join(timeout=10)
        return self.response.startswith(b"HTTP/1.1 200 OK")


def connect(listener: socket.socket, path: bytes) -> Client:
    return Client(listener, path)


def test_a_worker_with_its_places_taken_leaves_new_connections_to_the_others(worker):
    made, listener, app = worker
    assert made.places == 2
    clients = [connect(listener, b"page") for _ in range(3)]
    turn_until(made, lambda: len(app.entered) == 2)
    for _ in range(5):
        turn(made)
    # Two requests are being built: the third waits in the listening socket's queue, where
    # any other worker could take it.
    assert made.nr_conns == 2 and made.building == 2 and not made._accepting
    assert app.entered == ["page", "page"]
    app.release["page"].release()  # one is answered: a place is free
    turn_until(made, lambda: len(app.entered) == 3)
    assert made.nr_conns <= 3
    for _ in range(2):
        app.release["page"].release()
    turn_until(made, lambda: made.nr_conns == 0)
    assert made.building == 0 and made._accepting
    assert all(client.answered() for client in clients)


def test_open_streams_hold_no_place(worker):
    made, listener, app = worker
    streams = [connect(listener, b"stream") for _ in range(3)]
    turn_until(made, lambda: app.entered.count("stream") == 3)
    turn_until(made, lambda: made.building == 0)
    # Three streams open on a worker of two places: it still takes pages.
    assert made.nr_conns == 3 and made._accepting
    page = connect(listener, b"page")
    turn_until(made, lambda: "page" in app.entered)
    app.release["page"].release()
    turn_until(made, lambda: made.nr_conns == 3)
    assert page.answered()
    app.release["stream"].set()
    turn_until(made, lambda: made.nr_conns == 0)
    assert all(stream.answered() for stream in streams)


def test_without_the_gate_it_accepts_as_gthread_does(worker):
    made, listener, app = worker
    app.config["PAGE_CONCURRENCY"] = 0
    made.load_wsgi()
    clients = [connect(listener, b"page") for _ in range(3)]
    turn_until(made, lambda: len(app.entered) == 3)
    assert made.nr_conns == 3 and made._accepting
    for _ in range(3):
        app.release["page"].release()
    turn_until(made, lambda: made.nr_conns == 0)
    assert all(client.answered() for client in clients)


def test_a_client_that_sends_nothing_holds_no_place(worker, monkeypatch):
    made, listener, app = worker
    # gthread waits this long in a thread for a client's first bytes (5 s as released): longer
    # than the test waits for the worker, so that a place held meanwhile shows.
    monkeypatch.setattr(gthread, "DEFAULT_WORKER_DATA_TIMEOUT", 60.0)
    silent = [socket.create_connection(listener.getsockname()) for _ in range(2)]
    turn_until(made, lambda: made.nr_conns == 2)
    turn_until(made, lambda: made.building == 0)
    assert made._accepting
    pages = [connect(listener, b"page") for _ in range(2)]
    turn_until(made, lambda: app.entered == ["page", "page"])
    for _ in range(2):
        app.release["page"].release()
    for client in silent:
        client.close()
    turn_until(made, lambda: made.nr_conns == 0)
    assert all(page.answered() for page in pages)
