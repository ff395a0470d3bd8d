"""gunicorn settings for `bench/live.py --gc-pauses`: the repository's gunicorn.conf.py, and
each worker writes every full collection of its garbage collector (generation 2) to its log
as `gc-pause <pid> <wall-clock time> <milliseconds> <objects walked>`, which the bench reads
back per question. A full collection holds every thread of the worker while it runs: the tail
of live mode's answers before the workers froze their app's objects (docs/PERFORMANCE.md,
"Live mode", fifth round).

    gunicorn -c bench/apps/gc_pauses.py
"""

from __future__ import annotations

import gc
import os
import runpy
import sys
import time
from pathlib import Path
from typing import Any

_settings = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
globals().update({k: v for k, v in _settings.items() if not k.startswith("__")})
_worker_ready = _settings["post_worker_init"]


def post_worker_init(worker: object) -> None:
    _worker_ready(worker)
    started: dict[str, float] = {}

    def probe(phase: str, info: dict[str, Any]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started["objects"] = len(gc.get_objects())  # the frozen ones are not walked
            started["at"] = time.perf_counter()
            return
        took = (time.perf_counter() - started.get("at", time.perf_counter())) * 1000
        print(
            f"gc-pause {os.getpid()} {time.time():.3f} {took:.1f} {started.get('objects', 0):.0f}",
            file=sys.stderr,
            flush=True,
        )

    gc.callbacks.append(probe)
