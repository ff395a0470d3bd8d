"""Fuzzing every route, form field and query argument: shared by tests/test_fuzz.py (short)
and bench/fuzz.py (long).

Targets come from the app itself: every rule of `app.url_map`, the forms found on the pages
that each kind of visitor sees (crawled, so a new form is fuzzed without being listed here),
and the query arguments that the views read (`request.args.get("...")` in their modules, plus
the ones every page or a library reads). Hypothesis draws the visitor's request: which route,
which path values, and for every field a value from the form's own options, hostile text
(NUL bytes, huge numbers, `sNaN`, characters that grow when lower-cased...) or anything.
"""

from __future__ import annotations

import inspect
import io
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import yaml
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from quizapp.auth.services import create_user
from quizapp.authoring.services import create_set
from quizapp.bank.sync import sync_directory
from quizapp.classes.assignments import create_assignment
from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join as join_class
from quizapp.extensions import db
from quizapp.live import services as live_services
from quizapp.models import (
    Attempt,
    AttemptState,
    Classroom,
    Membership,
    QuestionSet,
    SetImage,
    SetShare,
    User,
    utcnow,
)
from quizapp.progress import services as progress_services
from quizapp.quiz import attempts as quiz_attempts

PASSWORD = "correct horse battery"
# After these, a visitor's session is not what it was: log the visitor in again.
SESSION_ENDPOINTS = {
    "auth.login",
    "auth.logout",
    "auth.register",
    "classes.join",
    "account.password",
    "account.delete",
}
VISITORS = ("anonymous", "student", "teacher", "admin")
# Read by every page (`?lang=`), by the login redirect (`?next=`) or by a library
# (Flask-SQLAlchemy's `db.paginate` reads `page` and `per_page` itself).
COMMON_QUERY = ("lang", "next", "page", "per_page")

HOSTILE = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "ß" * 40,  # 40 characters that lower-case to 80
    "İ" * 64,
    "ﬃ" * 30,
    "99999999999999999999",
    "-99999999999999999999",
    "2147483648",
    "-1",
    "0",
    "1e309",
    "sNaN",
    "NaN",
    "-inf",
    "Infinity",
    "0x10",
    "1_000",
    "١٢",  # Arabic-Indic digits: int() reads them
    "１２",
    "2026-02-30T25:61",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "Mars/Olympus",
    "../../../etc/passwd",
    "//evil.example/",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "%00",
    "\u202e\u200b",
    "x" * 5000,
    PASSWORD,
    "on",
    "y",
)


@dataclass
class Form:
    """A form seen on a page: where it posts, and its fields with their offered values."""

    endpoint: str
    method: str
    path: str  # where it posts (a form of the same route on another page may differ)
    arguments: dict[str, Any]  # the path's arguments that are not the world's objects
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> options ([] = free)
    files: set[str] = field(default_factory=set)
    plausible: dict[str, str] = field(default_factory=dict)  # a value the form would accept

    def valid_data(self, serial: int = 0) -> dict[str, str]:
        """What a visitor filling the form in would send (files left out); `serial` makes
        the free texts new (a username not taken yet)."""
        return {
            name: options[0] if options else self.plausible.get(name, "").format(serial)
            for name, options in self.fields.items()
            if name not in self.files
        }


def plausible(kind: str, name: str, value: str | None) -> str:
    """A value that passes a field of this input type, for the other fields of a request."""
    if value:
        return value  # pre-filled by the page (a join code, a time zone)
    if kind == "password":
        return PASSWORD
    if kind == "number":
        return "5"
    if kind == "datetime-local":
        return "2030-06-01T08:00" if "due" in name else "2030-01-01T08:00"
    return f"fuzz-{name}-{{}}"  # `{}`: a serial number, see Form.valid_data


@dataclass(frozen=True)
class Target:
    endpoint: str
    method: str
    rule: str
    arguments: tuple[str, ...]
    query: tuple[str, ...]


# --- the world the visitors live in --------------------------------------------------------

QUESTIONS: list[dict[str, Any]] = [
    {
        "id": "one",
        "type": "single",
        "prompt": "Pick one",
        "choices": ["a", "b", "c"],
        "answer": "b",
    },
    {
        "id": "many",
        "type": "multiple",
        "prompt": "Pick some",
        "choices": ["a", "b", "c"],
        "answer": ["a", "c"],
    },
    {"id": "tf", "type": "true_false", "prompt": "True?", "answer": True},
    {"id": "num", "type": "numeric", "prompt": "How many?", "answer": 42, "tolerance": 1},
    {
        "id": "txt",
        "type": "text",
        "prompt": "Name it",
        "accept": ["turing"],
        "accept_regex": "^a(lan)? ?turing$",
    },
    {"id": "ord", "type": "order", "prompt": "Order", "items": ["x", "y", "z"]},
    {"id": "pairs", "type": "match", "prompt": "Match", "pairs": [["p", "1"], ["q", "2"]]},
]


def write_set(directory: Path) -> None:
    document = {
        "id": "fuzz",
        "title": "Fuzz set",
        "language": "en",
        "settings": {"feedback": "after_submit", "shuffle_choices": True},
        "tags": ["fuzz"],
        "questions": QUESTIONS,
    }
    (directory / "fuzz.yaml").write_text(yaml.safe_dump(document, sort_keys=False))


def build_world(questions_dir: Path) -> dict[str, Any]:
    """A teacher's class with a student, an open assignment, an attempt in progress (every
    question type), a question due for review, and an admin; in the current app context."""
    write_set(questions_dir)
    report = sync_directory(questions_dir)
    assert not report.failed, report.failed
    question_set = db.session.scalar(select(QuestionSet).where(QuestionSet.slug == "fuzz"))
    users = {
        role: create_user(f"fuzz-{role}", PASSWORD, role=role)
        for role in ("student", "teacher", "admin")
    }
    classroom = create_classroom(users["teacher"], "Fuzz class", "Europe/Paris")
    membership = join_class(classroom, users["student"], "Fuzz student")
    now = utcnow()
    assignment = create_assignment(
        classroom, question_set, now - timedelta(hours=1), now + timedelta(days=30)
    )
    attempt = quiz_attempts.start_attempt(users["student"], question_set, assignment=assignment)
    progress = progress_services.record(
        users["student"].id, attempt.responses[0].question, 0.0, now
    )
    # The teacher's own set, shared with the admin, with an image (the authoring routes).
    owned = create_set(
        users["teacher"],
        yaml.safe_dump(
            {"id": "own", "title": "Own", "language": "en", "questions": QUESTIONS}
        ).encode(),
        "own.yaml",
    )
    share = SetShare(set_id=owned.id, user_id=users["admin"].id, can_edit=True)
    picture = SetImage(
        set_id=owned.id,
        name="a.svg",
        sha256="a" * 64,
        media_type="image/svg+xml",
        width=1,
        height=1,
        data=b'<svg xmlns="http://www.w3.org/2000/svg"/>',
    )
    db.session.add_all([share, picture])
    live = live_services.create_session(users["teacher"], question_set, classroom)
    player, _token = live_services.join(live, None, "Fuzz guest")
    db.session.commit()
    return {
        "share_id": share.id,
        "sha256": picture.sha256,
        "set_id": question_set.id,
        "slug": question_set.slug,
        "classroom_id": classroom.id,
        "membership_id": membership.id,
        "assignment_id": assignment.id,
        "attempt_id": attempt.id,
        "progress_id": progress.id,
        "user_id": users["student"].id,
        "code": classroom.join_code,
        "fmt": "csv",  # exports: csv or xlsx
        "response_id": attempt.responses[0].id,
        "session_id": live.id,  # a live game of the teacher's, with a nickname player
        "player_id": player.id,
        "action": "next",
        "token": "not-a-rejoin-token",
        "questions": len(QUESTIONS),
        "users": {
            role: (user.id, user.password_hash, user.session_version)
            for role, user in users.items()
        },
    }


def restore_world(world: dict[str, Any]) -> set[str]:
    """Undo what visitors did to the world's accounts and class (roles, passwords, deletion,
    archiving, a submitted attempt); returns the visitors who must log in again."""
    relogin: set[str] = set()
    db.session.expire_all()
    for role, (user_id, password_hash, version) in list(world["users"].items()):
        user = db.session.get(User, user_id)
        if user is None:
            user = create_user(f"fuzz-{role}-{user_id}", PASSWORD, role=role)
            db.session.flush()
            world["users"][role] = (user.id, user.password_hash, user.session_version)
            relogin.add(role)
            if role == "student":
                world["user_id"] = user.id
            elif role == "teacher":
                classroom = db.session.get(Classroom, world["classroom_id"])
                if classroom is not None:
                    classroom.teacher_id = user.id
            continue
        if (user.role, user.password_hash, user.session_version) != (role, password_hash, version):
            user.role, user.password_hash, user.session_version = role, password_hash, version
            relogin.add(role)
    classroom = db.session.get(Classroom, world["classroom_id"])
    if classroom is None:  # the teacher deleted it with their account: build a new one
        teacher = db.session.get(User, world["users"]["teacher"][0])
        classroom = create_classroom(teacher, "Fuzz class", "Europe/Paris")
        db.session.flush()
        world["classroom_id"] = classroom.id
    classroom.archived_at = None
    classroom.join_code_expires_at = None
    world["code"] = classroom.join_code
    student = db.session.get(User, world["users"]["student"][0])
    membership = db.session.scalar(
        select(Membership).where(
            Membership.classroom_id == classroom.id, Membership.user_id == student.id
        )
    )
    if membership is None:
        membership = join_class(classroom, student, f"Fuzz student {student.id}")
        db.session.flush()
    world["membership_id"] = membership.id
    assignment = next(iter(classroom.assignments), None)
    question_set = db.session.get(QuestionSet, world["set_id"])
    if assignment is None:
        now = utcnow()
        assignment = create_assignment(
            classroom, question_set, now - timedelta(hours=1), now + timedelta(days=30)
        )
    world["assignment_id"] = assignment.id
    attempt = db.session.get(Attempt, world["attempt_id"])
    if attempt is None or attempt.state != AttemptState.in_progress:
        attempt = quiz_attempts.start_attempt(student, question_set, assignment=assignment)
        world["attempt_id"] = attempt.id
    db.session.commit()
    return relogin


# --- what to fuzz -----------------------------------------------------------------------------


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, list[str]], set[str], dict[str, str]]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            method = (a.get("method") or "get").upper()
            self.forms.append((method, a.get("action") or "", {}, set(), {}))
            return
        if not self.forms:
            return
        fields, files, values = self.forms[-1][2], self.forms[-1][3], self.forms[-1][4]
        name = a.get("name")
        if tag in ("input", "textarea", "button") and name:
            kind = a.get("type") or ("textarea" if tag == "textarea" else "text")
            if kind == "file":
                files.add(name)
            options = fields.setdefault(name, [])
            if a.get("value") is not None and kind in ("radio", "checkbox", "submit"):
                options.append(a["value"] or "")
            elif kind != "hidden":
                values.setdefault(name, plausible(kind, name, a.get("value")))
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, [])
        elif tag == "option" and self._select:
            fields[self._select].append(a.get("value") or "")
        elif tag == "datalist":
            self._select = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def query_arguments(app: Flask, endpoint: str) -> tuple[str, ...]:
    """The query arguments a view's module reads, and the ones every page may be given."""
    view = app.view_functions[endpoint]
    source = inspect.getsource(sys.modules[view.__module__])
    found = set(re.findall(r"request\.args\.get\(\s*[\"'](\w+)[\"']", source))
    return tuple(sorted(found | set(COMMON_QUERY)))


def targets(app: Flask) -> list[Target]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append(
                Target(
                    rule.endpoint,
                    method,
                    rule.rule,
                    tuple(sorted(rule.arguments)),
                    query_arguments(app, rule.endpoint),
                )
            )
    return sorted(found, key=lambda t: (t.endpoint, t.method, t.rule))


def fill(rule: str, values: dict[str, Any]) -> str:
    return re.sub(r"<(?:[^:<>]+:)?(\w+)>", lambda m: quote(str(values[m.group(1)]), safe=""), rule)


def crawl(
    app: Flask, client: FlaskClient, world: dict[str, Any], pages: set[str] | None = None
) -> dict[str, Form]:
    """The forms of every page this visitor can GET (every question of the attempt); the
    endpoints of the pages seen go into `pages`."""
    adapter = app.url_map.bind("localhost")
    forms: dict[str, Form] = {}
    for target in targets(app):
        if target.method != "GET":
            continue
        numbers = range(1, world["questions"] + 1) if "number" in target.arguments else [1]
        for number in numbers:
            page = fill(target.rule, {**world, "number": number})
            response = client.get(page)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            if pages is not None:
                pages.add(target.endpoint)
            parser = _FormParser()
            parser.feed(response.get_data(as_text=True))
            for method, action, fields, files, values in parser.forms:
                path = urlsplit(action).path or page
                try:
                    endpoint, arguments = adapter.match(path, method=method)
                except HTTPException:
                    continue
                # the world's objects are named when sent; the rest (`number`) are kept
                own = {k: v for k, v in arguments.items() if k not in world}
                form = forms.setdefault(f"{method} {path}", Form(str(endpoint), method, path, own))
                for name, options in fields.items():
                    known = form.fields.setdefault(name, [])
                    known.extend(o for o in options if o not in known)
                form.files |= files
                for name, value in values.items():
                    form.plausible.setdefault(name, value)
    return forms


def merge_forms(*crawls: dict[str, Form]) -> dict[str, Form]:
    """The forms by route ("POST quiz.question"), with the fields of all their pages."""
    merged: dict[str, Form] = {}
    for found in crawls:
        for form in found.values():
            key = f"{form.method} {form.endpoint}"
            into = merged.setdefault(
                key, Form(form.endpoint, form.method, form.path, form.arguments)
            )
            for name, options in form.fields.items():
                known = into.fields.setdefault(name, [])
                known.extend(o for o in options if o not in known)
            into.files |= form.files
            for name, value in form.plausible.items():
                into.plausible.setdefault(name, value)
    return merged


# --- what Hypothesis draws ----------------------------------------------------------------------

# Any character UTF-8 can carry (no lone surrogates); not `codec=`: slow to build.
anything = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
VALUE = st.one_of(st.sampled_from(HOSTILE), anything, st.integers().map(str))


def value_for(options: list[str]) -> st.SearchStrategy[Any]:
    """A value the form offers, or a plausible one, or hostile text, or a list of these."""
    offered = [st.sampled_from(options)] if options else []
    one = st.one_of(*offered, VALUE)
    return st.one_of(one, one, st.lists(one, min_size=2, max_size=3))


FILE = st.tuples(
    st.one_of(st.sampled_from([b"Ada\nAlan\n", b"\xff\xfe\x00", b"name\n\x00\n"]), st.binary()),
    st.sampled_from(["names.csv", "x.exe", "../../names.csv", "n\x00.csv", ""]),
)


@dataclass(frozen=True)
class Request:
    """A request to a route; path arguments not in `values` are the world's objects as they
    are when it is sent (restoring the world after a visitor deleted one makes new ids)."""

    target: Target
    values: dict[str, Any]
    query: dict[str, Any]
    data: dict[str, Any]
    world: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def path(self) -> str:
        return fill(self.target.rule, {**self.world, **self.values})

    def describe(self) -> str:
        return f"{self.target.method} {self.path} query={self.query!r} data={self.data!r}"

    def send(self, client: FlaskClient) -> Any:
        data = {
            k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in self.data.items()
        }
        return client.open(
            self.path, method=self.target.method, query_string=self.query, data=data or None
        )


def path_value(name: str, world: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Mostly the world's own object (read when drawn: restoring the world moves it), else
    any value the route's converter accepts."""
    if name == "number":
        return st.one_of(st.integers(1, world["questions"]), st.integers(0, 2**31 - 1))
    current = st.none()  # the world's, when sent
    if name in ("code", "slug"):
        return st.one_of(current, anything.filter(bool))
    return st.one_of(current, current, st.integers(0, 2**31 - 1))


@st.composite
def fuzz_requests(
    draw: Callable[..., Any],
    target_list: list[Target],
    forms: dict[str, Form],
    world: dict[str, Any],
) -> Request:
    target = draw(st.sampled_from(target_list))
    drawn = {name: draw(path_value(name, world)) for name in target.arguments}
    values = {name: value for name, value in drawn.items() if value is not None}
    query = {
        name: draw(value_for([]))
        for name in target.query
        if draw(st.integers(0, 3)) == 0  # each argument in about one request in four
    }
    form = forms.get(f"{target.method} {target.endpoint}")
    data: dict[str, Any] = {}
    if form is not None:
        for name, options in form.fields.items():
            if name in form.files:
                if draw(st.booleans()):
                    data[name] = draw(FILE)
            elif draw(st.integers(0, 4)) > 0:  # leave a field out now and then
                good = form.plausible.get(name, "").format(draw(st.integers(0, 10**6)))
                data[name] = draw(value_for(options + ([good] if good else [])))
        if target.method == "GET":  # a search form: its fields are query arguments
            query.update(data)
            data = {}
    elif target.method == "POST":
        data = draw(st.dictionaries(st.sampled_from(["name", "answer", "x"]), VALUE, max_size=2))
    return Request(target, values, query, data, world)


class Visitors:
    """One logged-in client per kind of visitor, logged in again when the world was restored."""

    def __init__(self, app: Flask, world: dict[str, Any]) -> None:
        self.app = app
        self.world = world
        self.clients: dict[str, FlaskClient] = {}
        for visitor in VISITORS:
            self.login(visitor)

    def login(self, visitor: str) -> None:
        client = self.app.test_client()
        if visitor != "anonymous":
            with self.app.app_context():
                username = db.session.get(User, self.world["users"][visitor][0]).username
            response = client.post("/auth/login", data={"username": username, "password": PASSWORD})
            assert response.status_code == 302, f"{visitor} cannot log in"
        self.clients[visitor] = client

    def send(self, visitor: str, request: Request) -> Any:
        """Send the request as this visitor; restore the world after a POST."""
        try:
            return request.send(self.clients[visitor])
        except Exception:
            if has_app_context():
                # In tests the requests share the fixture's app context, and with it the
                # session that the failed request left in a failed transaction.
                db.session.rollback()
            raise
        finally:
            if request.target.method == "POST":
                with self.app.app_context():
                    relogin = restore_world(self.world)
                for again in relogin:
                    self.login(again)
                if request.target.endpoint in SESSION_ENDPOINTS:
                    self.login(visitor)  # logged out, in as someone else, or in anew
