"""Live mode at classroom scale: N players (300) on one machine against gunicorn (as deployed:
gunicorn.conf.py, gthread workers) + PostgreSQL + Redis, on one or two app servers.

For each question: the host's "next" on server A, then every player's stream hearing the
step with the question's markup (or fetching the page when the event has none, or when a
reconnected stream's first event shows the phone behind the game: what live-game.js does),
then every player answering, with the page's CSRF token and the session cookie, 0 to 2 s
after seeing the question (the acknowledgement is the answer's redirect, sent after the
commit; "reached" runs from the host's request to the question in the player's hands, event
parsed or page fetched; "acknowledged" from the answer's request to its redirect), then the
projector showing the distribution and leaderboard once the last answer is in: the projector
is the host's page kept as live-game.js keeps it (a step on its stream fetches the page again,
joins and answers at most once a second; one fetch at a time), and the time is from the
last acknowledgement to the end of the first fetch showing the leaderboard. At the end, answers
acknowledged versus answers stored (lost = acknowledged and not stored).

The players are Python threads (urllib, a connection per request, as the streams are) in this
one process, on the same cores as the server and the database: each step prints the CPU
seconds that gunicorn's workers, PostgreSQL and this process spent, so that a figure can be
read against what the simulation itself took.

    python bench/live.py --database-url postgresql+psycopg://postgres@127.0.0.1/postgres \\
        --redis-url redis://127.0.0.1:6379/0 [--players 300] [--questions 3] [--servers 2] \\
        [--kill-workers]  (with --servers 2)
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import random
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))
from crash import children, process_stats
from scratch import scratch_app

from quizapp.auth.services import create_user
from quizapp.bank.sync import sync_directory
from quizapp.extensions import db
from quizapp.models import LiveAnswer, LivePlayer

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-live-password-1"
SECRET = "bench-live-secret"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Client:
    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect()
        )

    def open(self, url: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location, body); a GET is tried again when a killed worker drops it, a
        POST is not (status 0: no answer, so nothing acknowledged)."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        for _ in range(1 if data is not None else 4):
            try:
                with self.opener.open(urllib.request.Request(url, data=body), timeout=30) as r:
                    return r.status, r.headers.get("Location", ""), r.read().decode()
            except urllib.error.HTTPError as error:
                try:
                    return error.code, error.headers.get("Location", ""), error.read().decode()
                except (OSError, http.client.HTTPException):  # cut off by a killed worker
                    time.sleep(0.2)
            except (OSError, http.client.HTTPException):  # (a response cut off: the same)
                time.sleep(0.2)
        return 0, "", ""


def token_of(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


class Player:
    def __init__(self, number: int, server: str, session_id: int) -> None:
        self.number = number
        self.server = server
        self.session_id = session_id
        self.client = Client()
        self.phase = threading.Event()
        self.stop = threading.Event()
        self.acknowledged: list[int] = []  # positions whose answer the server acknowledged
        self.csrf = ""
        self.question: str | None = None  # the open question's markup from the last event
        self.version = -1  # the game's version the phone shows (#live-main's data-version)

    def join(self, pin: str) -> None:
        join = f"{self.server}/live/join"
        _s, _l, page = self.client.open(f"{join}?pin={pin}")
        status, location, _ = self.client.open(
            join, {"csrf_token": token_of(page), "pin": pin, "nickname": f"P{self.number}"}
        )
        assert status == 302 and "/live/play/" in location, (status, location)
        page = self.page()  # the lobby: the player's CSRF token, as the page keeps it
        found = re.search(r'data-csrf="([^"]+)"', page)  # absent before the event carried pages
        self.csrf = found.group(1) if found else ""
        self.version = int(re.search(r'data-version="(\d+)"', page).group(1))  # type: ignore[union-attr]

    def listen(self) -> None:
        """The stream, reconnected whenever it ends (every 25 s), as EventSource does."""
        url = f"{self.server}/live/play/{self.session_id}/events"
        while not self.stop.is_set():
            try:
                with self.client.opener.open(urllib.request.Request(url), timeout=60) as stream:
                    event = b""
                    for raw in stream:
                        if raw.startswith(b"event: "):
                            event = raw.strip()
                        elif raw.startswith(b"data: ") and event == b"event: version":
                            # A (re)connection: a phone behind the game fetches its page.
                            version = json.loads(raw[6:])["version"]
                            if version != self.version:
                                self.version, self.question = version, None
                                self.phase.set()
                        elif raw.startswith(b"data: ") and event == b"event: phase":
                            # An open question comes with its markup (live-game.js shows it
                            # with the page's CSRF token); otherwise the page is fetched.
                            data = json.loads(raw[6:])
                            self.version = data["version"]
                            html = data.get("html")
                            self.question = (
                                html.replace(
                                    'name="csrf_token" type="hidden" value=""',
                                    f'name="csrf_token" type="hidden" value="{self.csrf}"',
                                )
                                if html
                                else None
                            )
                            self.phase.set()
                        if self.stop.is_set():
                            return
            except OSError:
                time.sleep(0.5)

    def page(self) -> str:
        return self.client.open(f"{self.server}/live/play/{self.session_id}")[2]

    def answer(self, page: str) -> tuple[int, float]:
        """Answer the question on `page`; (HTTP status, seconds); 302 is the acknowledgement,
        0 no response (a killed worker). Keeps what was acknowledged."""
        buttons = re.findall(r'name="answer" value="(\d+)"', page)
        position = re.search(r'name="position" type="hidden" value="(\d+)"', page)
        if not buttons or position is None:
            return -1, 0.0
        started = time.perf_counter()
        status, location, _ = self.client.open(
            f"{self.server}/live/play/{self.session_id}/answer",
            {
                "csrf_token": token_of(page),
                "position": position.group(1),
                "answer": random.choice(buttons),
            },
        )
        if status == 302 and location.endswith(f"/live/play/{self.session_id}"):
            self.acknowledged.append(int(position.group(1)))
        return status, time.perf_counter() - started


class Projector:
    """The host's page as live-game.js keeps it: a step on its stream asks for the page again,
    joins and answers (`count`) at most once a second; one fetch at a time, and one more after
    it if asked meanwhile. Keeps when each fetch started and ended and whether it showed the
    leaderboard."""

    def __init__(self, client: Client, page_url: str, events_url: str) -> None:
        self.client = client
        self.page_url = page_url
        self.events_url = events_url
        self.wanted = threading.Event()
        self.stop = threading.Event()
        self.version = -1
        self.fetches: list[tuple[float, float, bool]] = []  # (started, ended, leaderboard)
        self.lock = threading.Lock()
        self.last_count = 0.0
        self.count_pending = False

    def start(self) -> None:
        threading.Thread(target=self.listen, daemon=True).start()
        threading.Thread(target=self.refresh, daemon=True).start()

    def listen(self) -> None:
        while not self.stop.is_set():
            try:
                with self.client.opener.open(self.events_url, timeout=60) as stream:
                    event = b""
                    for raw in stream:
                        if raw.startswith(b"event: "):
                            event = raw.strip()
                        elif raw.startswith(b"data: ") and event == b"event: count":
                            self.count()
                        elif raw.startswith(b"data: "):
                            behind = json.loads(raw[6:])["version"] != self.version
                            if event == b"event: phase" or behind:
                                self.wanted.set()
                        if self.stop.is_set():
                            return
            except OSError:
                time.sleep(0.5)

    def count(self) -> None:
        """A join or an answer: the page at most once a second (at once if the last such fetch
        was longer ago, else when the second is up), as live-game.js's `countRefresh`."""
        with self.lock:
            wait = self.last_count + 1.0 - time.monotonic()
            if wait <= 0:
                self.last_count = time.monotonic()
                self.wanted.set()
            elif not self.count_pending:
                self.count_pending = True
                threading.Timer(wait, self.counted).start()

    def counted(self) -> None:
        with self.lock:
            self.count_pending = False
        self.count()

    def refresh(self) -> None:
        while not self.stop.is_set():
            if not self.wanted.wait(0.5):
                continue
            self.wanted.clear()
            started = time.perf_counter()
            page = self.client.open(self.page_url)[2]
            found = re.search(r'data-version="(\d+)"', page)
            if found:
                self.version = int(found.group(1))
            self.fetches.append((started, time.perf_counter(), "Leaderboard" in page))

    def board_after(self, since: float) -> float | None:
        """When a fetch started after `since` first showed the leaderboard."""
        shown = [ended for started, ended, board in list(self.fetches) if board and started > since]
        return min(shown, default=None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    env: dict[str, str], log: Path, config: Path = ROOT / "gunicorn.conf.py"
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(config),
            "-b",
            f"127.0.0.1:{port}",
        ],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5):
                return process, url
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start: see {log}")


GAME_ON = threading.Event()  # set once every player has joined and listens
LOGS: list[Path] = []  # the servers' logs, read for the workers' full collections (--gc-pauses)


def gc_pauses(since: float, until: float) -> str:
    """The workers' full collections between two wall-clock times, from their logs: how many,
    and the longest (with the objects it walked)."""
    pauses = []
    for log in LOGS:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("gc-pause "):
                _tag, _pid, at, took, walked = line.split()
                if since <= float(at) <= until:
                    pauses.append((float(took), int(walked)))
    if not pauses:
        return "; no full collection"
    took, walked = max(pauses)
    many = "full collection" if len(pauses) == 1 else "full collections"
    return f"; {len(pauses)} {many}, longest {took:.0f} ms ({walked:,} objects)"


def kill_workers(master: int, stop: threading.Event) -> None:
    """SIGKILL a random worker of a server every 3 s (gunicorn starts another)."""
    killed = 0
    GAME_ON.wait()
    while not stop.wait(3):
        workers = children(master)
        if workers:
            os.kill(random.choice(workers), signal.SIGKILL)
            killed += 1
    print(f"workers SIGKILLed: {killed}")


TICKS = os.sysconf("SC_CLK_TCK")
MASTERS: list[int] = []  # the gunicorn masters, for `server_cpu`


def server_cpu() -> float:
    """CPU seconds used so far by the gunicorn workers alive now (from /proc)."""
    total = 0
    for master in MASTERS:
        for pid in children(master):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def postgres_ticks() -> dict[int, int]:
    """CPU ticks used so far by each PostgreSQL process alive now on this machine (/proc)."""
    return {
        pid: int(fields[11]) + int(fields[12])  # utime, stime
        for pid, name, fields in process_stats()
        if name == "postgres"
    }


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all cores, /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / TICKS


class CPU:
    """CPU seconds spent since `start` by gunicorn's workers, PostgreSQL (if on this machine;
    its processes alive at the end, other databases' included), the simulated players (this
    process, all its threads), and the rest of the machine (other work on the same cores,
    which the figures depend on): who the cores worked for."""

    def start(self) -> None:
        self.at = (server_cpu(), postgres_ticks(), time.process_time(), machine_busy())
        self.began = time.monotonic()

    def __str__(self) -> str:
        served, database, players = server_cpu(), postgres_ticks(), time.process_time()
        pg = sum(t - self.at[1].get(pid, 0) for pid, t in database.items()) / TICKS
        ours = served - self.at[0] + pg + players - self.at[2]
        rest = machine_busy() - self.at[3] - ours
        return (
            f"CPU s: gunicorn {served - self.at[0]:.1f}, PostgreSQL {pg:.1f}, "
            f"players {players - self.at[2]:.1f}, the rest of the machine {max(rest, 0):.1f} "
            f"(in {time.monotonic() - self.began:.1f} s)"
        )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        questions = tmp / "questions"
        questions.mkdir()
        document = {
            "id": "live-bench",
            "title": "Live bench",
            "language": "en",
            "questions": [
                {
                    "id": f"q{i}",
                    "type": "single",
                    "prompt": f"Question {i}?",
                    "choices": ["A", "B", "C", "D"],
                    "answer": "B",
                }
                for i in range(args.questions)
            ],
        }
        (questions / "live.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
        with scratch_app(args.database_url, tmp / "x.sqlite3", QUESTIONS_DIR=str(questions)) as app:
            with app.app_context():
                assert not sync_directory(questions).failed
                create_user("teacher", PASSWORD, role="teacher")
                db.session.commit()
                url = app.config["SQLALCHEMY_DATABASE_URI"]
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("QUIZAPP_")},
                "QUIZAPP_DATABASE_URL": url,
                "QUIZAPP_SECRET_KEY": SECRET,
                "QUIZAPP_AUTO_SETUP": "0",
                "QUIZAPP_QUESTIONS_DIR": str(questions),
                "QUIZAPP_RATELIMIT_STORAGE_URI": args.redis_url,
                "QUIZAPP_LIVE_BROKER_URL": args.redis_url,
                "QUIZAPP_LOG_LEVEL": "WARNING",
                "WEB_CONCURRENCY": str(args.workers),
            }
            if args.threads:
                env["QUIZAPP_THREADS"] = str(args.threads)
            logs = [Path(tempfile.gettempdir()) / f"bench-live-gunicorn{i}.log" for i in range(2)]
            for log in logs:
                log.unlink(missing_ok=True)
            print(f"gunicorn logs: {', '.join(map(str, logs[: args.servers]))}")
            config = ROOT / ("bench/apps/gc_pauses.py" if args.gc_pauses else "gunicorn.conf.py")
            servers = [start_server(env, logs[i], config) for i in range(args.servers)]
            LOGS.extend(logs[: args.servers] if args.gc_pauses else [])
            MASTERS.extend(process.pid for process, _u in servers)
            urls = [u for _p, u in servers]
            stop = threading.Event()
            if args.kill_workers:  # on the players' last server, never the host's (A)
                threading.Thread(
                    target=kill_workers, args=(servers[-1][0].pid, stop), daemon=True
                ).start()
            before = resource.getrusage(resource.RUSAGE_SELF)
            try:
                measure(args, urls, app)
            finally:
                stop.set()
                for process, _u in servers:
                    process.terminate()
                    process.wait(timeout=40)
            mine = resource.getrusage(resource.RUSAGE_SELF)
            served = resource.getrusage(resource.RUSAGE_CHILDREN)
            print(
                "CPU seconds: the simulated players (this process) "
                f"{mine.ru_utime + mine.ru_stime - before.ru_utime - before.ru_stime:.1f}, "
                f"gunicorn (all workers) {served.ru_utime + served.ru_stime:.1f}"
            )


def play_round(players: list[Player], sent: float) -> tuple[list[float], list[float]]:
    """Every player hears the step, fetches the question and answers at their own pace."""
    reached: list[float] = []
    acks: list[float] = []
    others: dict[int, int] = {}  # 409 refused, 0 dropped by a killed worker, -1 no question
    lock = threading.Lock()

    def play(player: Player) -> None:
        if not player.phase.wait(timeout=15):
            return
        page = player.question or player.page()
        with lock:
            reached.append(time.perf_counter() - sent)
        time.sleep(random.uniform(0.0, 2.0))  # players read and tap at their own pace
        status, took = player.answer(page)
        with lock:
            if status == 302:
                acks.append(took)
            else:
                others[status] = others.get(status, 0) + 1

    with ThreadPoolExecutor(len(players)) as pool:
        list(pool.map(play, players))
    if others:
        print(f"  answers not acknowledged, by status (0: dropped, -1: no question): {others}")
    return reached, acks


def measure(args: argparse.Namespace, urls: list[str], app: Any) -> None:
    host = Client()
    a = urls[0]
    _s, _l, page = host.open(f"{a}/auth/login")
    host.open(
        f"{a}/auth/login",
        {"csrf_token": token_of(page), "username": "teacher", "password": PASSWORD},
    )
    _s, _l, page = host.open(f"{a}/live/new")
    _s, location, _ = host.open(
        f"{a}/live/new",
        {
            "csrf_token": token_of(page),
            "set_id": "1",
            "classroom_id": "0",
            "names": "shown",
            "streak_bonus": "y",
        },
    )
    session_id = int(re.search(r"/live/(\d+)/host", location).group(1))  # type: ignore[union-attr]
    host_page = f"{a}/live/{session_id}/host"
    pin = re.search(r'<p class="live-pin">(\d{6})</p>', host.open(host_page)[2]).group(1)  # type: ignore[union-attr]
    projector = Projector(host, host_page, f"{a}/live/{session_id}/events")
    projector.start()

    players = [Player(i, urls[i % len(urls)], session_id) for i in range(args.players)]
    started = time.perf_counter()
    cpu = CPU()
    cpu.start()
    with ThreadPoolExecutor(32) as pool:
        list(pool.map(lambda p: p.join(pin), players))
    print(
        f"{args.players} players joined in {time.perf_counter() - started:.1f} s "
        f"on {len(urls)} server(s), {args.workers} gthread workers each, "
        f"{args.threads or 'default'} threads per worker; {cpu}"
    )
    # The 300 phones' objects are made: out of this process's garbage collector, as the
    # workers' (gunicorn.conf.py). A full collection of them held every phone's thread about
    # 100 ms, 25 s into a run, and the question open then showed it as reach.
    gc.freeze()
    for player in players:
        threading.Thread(target=player.listen, daemon=True).start()
    cpu.start()
    time.sleep(3)  # every stream open and past its first read
    print(f"{args.players} streams opened, in 3 s: {cpu}")
    cpu.start()
    time.sleep(5)
    print(f"the lobby, {args.players} phones listening, 5 s: {cpu}")
    GAME_ON.set()

    for number in range(args.questions):
        for player in players:
            player.phase.clear()
        _s, _l, page = host.open(host_page)
        if number:  # close the last question if some answers never came (a killed worker)
            host.open(f"{a}/live/{session_id}/control/skip", {"csrf_token": token_of(page)})
            _s, _l, page = host.open(host_page)
        action = "start" if number == 0 else "next"
        cpu.start()
        sent, sent_wall = time.perf_counter(), time.time()
        host.open(f"{a}/live/{session_id}/control/{action}", {"csrf_token": token_of(page)})
        fetched = len(projector.fetches)
        reached, acks = play_round(players, sent)
        last_answer = time.perf_counter()
        while (shown := projector.board_after(sent)) is None:
            if time.perf_counter() - last_answer > 30:
                shown = float("nan")
                break
            time.sleep(0.01)
        board = max(0.0, shown - last_answer)  # 0: shown before the last acknowledgement was read
        fetched = len(projector.fetches) - fetched
        print(
            f"question {number + 1}: reached {len(reached)}/{args.players} players "
            f"(p50 {pct(reached, 0.5) * 1000:.0f} ms, p99 {pct(reached, 0.99) * 1000:.0f} ms, "
            f"max {max(reached, default=0) * 1000:.0f} ms); answers acknowledged {len(acks)}, "
            f"p50 {pct(acks, 0.5) * 1000:.0f} ms, p99 {pct(acks, 0.99) * 1000:.0f} ms, "
            f"max {max(acks, default=0) * 1000:.0f} ms; projector after the last answer "
            f"{board * 1000:.0f} ms ({fetched} projector pages); {cpu}"
            + (gc_pauses(sent_wall, time.time()) if LOGS else "")
        )
    projector.stop.set()
    for player in players:
        player.stop.set()
    with app.app_context():
        stored = set(
            db.session.execute(
                select(LivePlayer.nickname, LiveAnswer.position).join(
                    LivePlayer, LivePlayer.id == LiveAnswer.player_id
                )
            ).all()
        )
        db.session.remove()
    acked = {(f"P{p.number}", position) for p in players for position in p.acknowledged}
    lost = acked - stored
    print(
        f"answers acknowledged {len(acked)}, stored {len(stored)} "
        f"(stored but not acknowledged in time: {len(stored - acked)}), lost {len(lost)}"
    )
    if lost:
        raise SystemExit(f"acknowledged answers were lost: {sorted(lost)[:10]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server")
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--players", type=int, default=300)
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--servers", type=int, default=1, choices=(1, 2))
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--threads", type=int, help="QUIZAPP_THREADS (gunicorn.conf.py's default otherwise: 200)"
    )
    parser.add_argument(
        "--kill-workers", action="store_true", help="SIGKILL a worker of server B every 3 s"
    )
    parser.add_argument(
        "--gc-pauses",
        action="store_true",
        help="the workers log their full garbage collections (bench/apps/gc_pauses.py)",
    )
    args = parser.parse_args()
    if args.kill_workers and args.servers < 2:
        parser.error("--kill-workers needs --servers 2 (the host stays on A)")
    run(args)


if __name__ == "__main__":
    main()
