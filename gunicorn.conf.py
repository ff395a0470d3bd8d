"""gunicorn settings for quizapp: `gunicorn -c gunicorn.conf.py` (see docs/DEPLOYMENT.md).

Options given on the command line win over these (`--bind 0.0.0.0:8000`, `--workers 3`).
"""

import os

wsgi_app = "quizapp:create_app()"
bind = "127.0.0.1:8000"  # behind a reverse proxy on the same host; a container binds 0.0.0.0


def cpu_count() -> int:
    """CPUs this process may run on (a container's or a cgroup's share, not the host's)."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13
        return os.process_cpu_count() or 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# The usual 2 per CPU + 1, capped: each worker keeps its own pool of database connections
# (up to 15 with SQLAlchemy's defaults), and all the workers of all the servers must stay under
# PostgreSQL's max_connections (100 by default). WEB_CONCURRENCY overrides, as on most hosts.
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * cpu_count() + 1, 9))

# Threaded workers (gthread): live mode holds one Server-Sent Events stream open per player
# (docs/DEPLOYMENT.md, "Live mode"); a sync worker would be taken whole by each. A stream waits
# on a condition without a database connection and ends after 30 to 90 s (the browser
# reconnects), so threads are cheap and recycled. Page requests share the same threads, but at
# most QUIZAPP_PAGE_CONCURRENCY (4) of them build their response at once (quizapp/page_gate.py).
# gevent was not chosen: it needs monkey-patching of psycopg, Redis and the standard library,
# which the rest of the app (advisory locks, file locks, blocking grading) does not need.
# quizapp's gthread (quizapp/gunicorn_worker.py) takes a new connection only while one of its
# QUIZAPP_PAGE_CONCURRENCY places is free; the others wait in the listening socket's queue for
# the first worker with a free place. Plain gthread accepts however many requests already wait
# at its gate: under 300 live answers a worker that fell behind a moment kept taking them while
# the others had free places, and the acknowledgement's p99 was that one worker's queue
# (docs/PERFORMANCE.md, "Live mode").
worker_class = "quizapp.gunicorn_worker.ThreadWorker"
# Concurrent requests (streams included) per worker. The workers do not share the streams
# evenly (whichever is first to accept takes a connection): 300 players on 4 workers were seen
# as 67, 85, 90 and 107 streams (bench/live.py), and a worker whose threads are all held by
# streams makes its next requests (an answer) wait for one to end, up to 90 s. 200 each leaves
# that room; a thread is only started when a request needs it. QUIZAPP_THREADS overrides.
threads = int(os.environ.get("QUIZAPP_THREADS") or 200)

timeout = 30  # a worker silent this long is killed and replaced (a hung request)
graceful_timeout = 30  # on reload or stop, requests in progress get this long to finish
keepalive = 5  # seconds an idle connection from the reverse proxy stays open
# Replace each worker after about ten thousand requests: bounds any slow leak. Building the
# app again costs about 0.4 s of CPU: at a thousand (the old setting) a loaded 2-core server
# spent a tenth of its time restarting workers (docs/PERFORMANCE.md); a worker's memory stays
# flat long before ten thousand (bench/memory.py).
max_requests = 10000
max_requests_jitter = 1000

# The app writes one line per request itself (with its request id, as text or JSON, without
# health checks: QUIZAPP_LOG_FORMAT); gunicorn's access log is off so that each request is
# logged once. `--access-logfile -` turns it on, in this format, with the same request id.
accesslog = None
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms id=%({x-request-id}o)s'
errorlog = "-"
loglevel = "info"
# Recent gunicorn opens a control socket at one path per user (~/.gunicorn): two servers on one
# host would fight over it, and a container's user has no home. quizapp does not use it.
control_socket_disable = True

# Not preloaded: each worker builds its own app, so no database connection opened in the
# master is shared by forked workers.
preload_app = False


def on_starting(server: object) -> None:
    """Build the app once in the master, before any worker: when it refuses to start (a schema
    behind or ahead of the code, an unreachable database, a bad setting), gunicorn stops with
    that one message instead of forking workers that fail again and again."""
    from quizapp import create_app
    from quizapp.extensions import db

    fewer_malloc_arenas()
    app = create_app()
    with app.app_context():
        db.engine.dispose()  # the workers open their own connections


def fewer_malloc_arenas(arenas: int = 2) -> None:
    """What `MALLOC_ARENA_MAX=2` does, for the workers: glibc gives threads that allocate
    arenas of their own, up to 8 per CPU, and a threaded worker's hundred threads (live mode)
    end up holding several, each with freed memory it keeps. With two, a worker kept about
    10 MB less (bench/memory.py: 121 MB to 112 MB RSS). Set in the master before it forks: the
    workers inherit the setting. An explicit MALLOC_ARENA_MAX wins; not glibc, nothing done."""
    import ctypes
    import ctypes.util

    if os.environ.get("MALLOC_ARENA_MAX"):
        return
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return
    try:
        mallopt = ctypes.CDLL(libc_name).mallopt
    except (OSError, AttributeError):  # a C library without mallopt (musl)
        return
    mallopt(-8, arenas)  # M_ARENA_MAX


def post_worker_init(worker: object) -> None:
    """The worker's app is built: its objects (modules, templates, the bank, the catalogs:
    about 160,000) will live as long as the worker, so the garbage collector stops scanning
    them. Otherwise each full collection walks them all and holds every thread of the worker
    for 250 to 330 ms, the tail of live mode's answers (docs/PERFORMANCE.md, "Live mode")."""
    import gc

    gc.freeze()
