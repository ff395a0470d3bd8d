"""Who may call what: every route of `app.url_map` against six kinds of visitor.

A route added without a row here fails `test_every_route_is_in_the_matrix`, so its access rule
gets decided and tested before it lands.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from harness import running_app
from helpers import PASSWORD, set_document
from sqlalchemy import select

from quizapp.authoring.services import create_set
from quizapp.bank.sync import sync_directory
from quizapp.classes.assignments import create_assignment
from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join
from quizapp.extensions import db
from quizapp.live import services as live_services
from quizapp.models import Classroom, QuestionSet, SetImage, SetShare, User, utcnow
from quizapp.progress import services as progress_services
from quizapp.quiz import attempts as quiz_attempts

ROLES = ["anonymous", "student", "other_student", "teacher", "other_teacher", "admin"]
OK, LOGIN, FORBIDDEN, HIDDEN = "ok", "login", "forbidden", "hidden"

# endpoint: (method, path, expected for each of ROLES)
EVERYONE = (OK,) * 6
LOGGED_IN = (LOGIN, OK, OK, OK, OK, OK)
OWN_ATTEMPT = (LOGIN, OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN)
TEACHERS = (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK)
OWN_CLASS = (LOGIN, FORBIDDEN, FORBIDDEN, OK, HIDDEN, OK)
MEMBERS = (LOGIN, OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN)
OWN_SESSION = OWN_CLASS  # a live session: its host (and admins)
ADMINS = (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)
OWN_SET = (LOGIN, FORBIDDEN, FORBIDDEN, OK, HIDDEN, OK)  # a teacher's unshared set

MATRIX = {
    "main.index": ("GET", "/", EVERYONE),
    "main.favicon": ("GET", "/favicon.ico", EVERYONE),
    "main.theme": ("POST", "/theme", EVERYONE),
    "auth.register": ("GET", "/auth/register", EVERYONE),
    "auth.login": ("GET", "/auth/login", EVERYONE),
    "auth.logout": ("POST", "/auth/logout", LOGGED_IN),
    "quiz.catalogue": ("GET", "/quizzes", LOGGED_IN),
    "quiz.start": ("POST", "/quizzes/sample/start", LOGGED_IN),
    "quiz.start_page": ("GET", "/quizzes/sample/start", LOGGED_IN),
    "quiz.question": ("GET", "/attempts/{attempt}/questions/1", OWN_ATTEMPT),
    "quiz.summary": ("GET", "/attempts/{attempt}/summary", OWN_ATTEMPT),
    "quiz.submit": ("POST", "/attempts/{attempt}/submit", OWN_ATTEMPT),
    "quiz.result": ("GET", "/attempts/{attempt}", OWN_ATTEMPT),
    "teacher.bank": ("GET", "/teacher/bank", TEACHERS),
    "teacher.guide": ("GET", "/teacher/guide", TEACHERS),
    "teacher.export_set": ("GET", "/teacher/sets/{set_id}/export/gift", TEACHERS),
    "teacher.import_questions": ("GET", "/teacher/import", TEACHERS),
    "classes.index": ("GET", "/classes", TEACHERS),
    "classes.detail": ("GET", "/classes/{classroom}", OWN_CLASS),
    "classes.qr_code": ("GET", "/classes/{classroom}/qr.svg", OWN_CLASS),
    "classes.renew_code": ("POST", "/classes/{classroom}/code", OWN_CLASS),
    "classes.archive": ("POST", "/classes/{classroom}/archive", OWN_CLASS),
    "classes.roster": ("POST", "/classes/{classroom}/roster", OWN_CLASS),
    "classes.new_cards": ("POST", "/classes/{classroom}/cards", OWN_CLASS),
    "classes.reset_password": (
        "POST",
        "/classes/{classroom}/members/{membership}/password",
        OWN_CLASS,
    ),
    "classes.reset_username": (
        "POST",
        "/classes/{classroom}/members/{membership}/username",
        OWN_CLASS,
    ),
    "classes.lift_login_lock": (
        "POST",
        "/classes/{classroom}/members/{membership}/unlock",
        OWN_CLASS,
    ),
    "classes.assign": ("POST", "/classes/{classroom}/assignments", OWN_CLASS),
    "classes.results": ("GET", "/classes/{classroom}/assignments/{assignment}", OWN_CLASS),
    "gradebook.gradebook": ("GET", "/classes/{classroom}/gradebook", OWN_CLASS),
    "gradebook.score_rule": (
        "POST",
        "/classes/{classroom}/assignments/{assignment}/rule",
        OWN_CLASS,
    ),
    "gradebook.attempt": ("GET", "/classes/{classroom}/attempts/{attempt}", OWN_CLASS),
    "gradebook.override": (
        "POST",
        "/classes/{classroom}/attempts/{attempt}/responses/{response}/override",
        OWN_CLASS,
    ),
    "gradebook.assignment_analysis": (
        "GET",
        "/classes/{classroom}/assignments/{assignment}/analysis",
        OWN_CLASS,
    ),
    # any teacher: it counts only the attempts of their own classes
    "gradebook.set_analysis": ("GET", "/teacher/sets/{set_id}/analysis", TEACHERS),
    "gradebook.export_gradebook": ("GET", "/classes/{classroom}/gradebook.xlsx", OWN_CLASS),
    "gradebook.export_responses": (
        "GET",
        "/classes/{classroom}/assignments/{assignment}/responses.csv",
        OWN_CLASS,
    ),
    "gradebook.export_analysis": (
        "GET",
        "/classes/{classroom}/assignments/{assignment}/analysis.xlsx",
        OWN_CLASS,
    ),
    "gradebook.live": ("GET", "/classes/{classroom}/assignments/{assignment}/live", OWN_CLASS),
    "classes.join": ("GET", "/join/{code}", EVERYONE),
    "classes.assignments": ("GET", "/assignments", LOGGED_IN),
    "classes.start": ("POST", "/assignments/{assignment}/start", MEMBERS),
    "classes.start_page": ("GET", "/assignments/{assignment}/start", MEMBERS),
    "progress.dashboard": ("GET", "/dashboard", LOGGED_IN),
    "progress.student": ("GET", "/classes/{classroom}/students/{student_id}", OWN_CLASS),
    "progress.review": ("GET", "/review", LOGGED_IN),
    "progress.anki_deck": ("GET", "/dashboard/missed.apkg", LOGGED_IN),
    "progress.review_answer": ("POST", "/review/{progress}", OWN_ATTEMPT),
    "progress.practice": ("POST", "/assignments/{assignment}/practice", MEMBERS),
    "account.index": ("GET", "/account/", LOGGED_IN),
    "account.password": ("POST", "/account/password", LOGGED_IN),
    "account.language": ("POST", "/account/language", LOGGED_IN),
    "account.export": ("GET", "/account/export.json", LOGGED_IN),
    "account.delete": ("POST", "/account/delete", LOGGED_IN),
    "admin.users": ("GET", "/admin/users", ADMINS),
    "admin.set_role": ("POST", "/admin/users/{student_id}/role", ADMINS),
    "authoring.index": ("GET", "/teacher/sets", TEACHERS),
    "authoring.upload": ("POST", "/teacher/sets/upload", TEACHERS),
    "authoring.new": ("POST", "/teacher/sets/new", TEACHERS),
    "authoring.from_draft": ("POST", "/teacher/sets/from-draft", TEACHERS),
    "authoring.schema": ("GET", "/teacher/sets/schema.json", TEACHERS),
    "authoring.edit": ("GET", "/teacher/sets/{owned_set}/edit", OWN_SET),
    "authoring.add_images": ("POST", "/teacher/sets/{owned_set}/images", OWN_SET),
    "authoring.discard": ("POST", "/teacher/sets/{owned_set}/draft/discard", OWN_SET),
    "authoring.download": ("GET", "/teacher/sets/{owned_set}/set.yaml", OWN_SET),
    "authoring.preview": ("GET", "/teacher/sets/{owned_set}/preview", OWN_SET),
    "authoring.try_it": ("POST", "/teacher/sets/{owned_set}/try", OWN_SET),
    "authoring.shares": ("GET", "/teacher/sets/{owned_set}/shares", OWN_SET),
    "authoring.unshare": ("POST", "/teacher/sets/{owned_set}/shares/{share}/delete", OWN_SET),
    # by content hash, to anyone logged in: the students of a class that has the set
    "authoring.image": ("GET", "/images/{image_hash}", LOGGED_IN),
    "live.index": ("GET", "/live/", TEACHERS),
    "live.new": ("GET", "/live/new", TEACHERS),
    "live.host": ("GET", "/live/{live}/host", OWN_SESSION),
    "live.control": ("POST", "/live/{live}/control/next", OWN_SESSION),
    "live.remove_player": ("POST", "/live/{live}/players/{player}/remove", OWN_SESSION),
    "live.blocklist": ("POST", "/live/{live}/blocklist", OWN_SESSION),
    "live.export": ("GET", "/live/{live}/results.csv", OWN_SESSION),
    "live.host_events": ("GET", "/live/{live}/events", OWN_SESSION),
    "live.join": ("GET", "/live/join", EVERYONE),
    "live.rejoin": ("GET", "/live/rejoin/not-a-token", EVERYONE),  # back to the join page
    # Nobody here holds a player's token: the game page sends them to the join page, and an
    # answer or a stream is refused.
    "live.play": ("GET", "/live/play/{live}", EVERYONE),
    "live.answer": ("POST", "/live/play/{live}/answer", (FORBIDDEN,) * 6),
    "live.play_events": ("GET", "/live/play/{live}/events", (HIDDEN,) * 6),
    "health.healthz": ("GET", "/healthz", EVERYONE),
    "health.readyz": ("GET", "/readyz", EVERYONE),
}


@pytest.fixture(scope="module")
def matrix_app(sqlite_url, tmp_path_factory):
    """One app and database for the module. Access is decided above the database: SQLite is
    enough."""
    questions = tmp_path_factory.mktemp("questions")
    with running_app(sqlite_url, questions) as app:
        yield app


@pytest.fixture
def app(matrix_app):
    """The module's app, for pytest-flask's `client` (a new client, so no cookie, per test)."""
    return matrix_app


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints - set(MATRIX) == set(), "add these routes to the access matrix"
    assert set(MATRIX) - endpoints == set(), "these rows name routes that no longer exist"


@pytest.fixture(scope="module")
def world(matrix_app):
    """Two classes with a teacher and a student each, an admin, an attempt, an assignment:
    built once for the module's 216 cases, which only read it or send empty forms."""
    from quizapp.auth.services import create_user

    path = Path(matrix_app.config["QUESTIONS_DIR"]) / "sample.yaml"
    path.write_text(yaml.safe_dump(set_document(), allow_unicode=True, sort_keys=False))
    assert not sync_directory(path.parent).failed
    question_set = db.session.scalar(select(QuestionSet).where(QuestionSet.slug == "sample"))
    users = {
        name: create_user(name, PASSWORD, role=role)
        for name, role in [
            ("student", "student"),
            ("other_student", "student"),
            ("teacher", "teacher"),
            ("other_teacher", "teacher"),
            ("admin", "admin"),
        ]
    }
    classroom = create_classroom(users["teacher"], "A", "Europe/Paris")
    other = create_classroom(users["other_teacher"], "B", "Europe/Paris")
    membership = join(classroom, users["student"], "Student")
    join(other, users["other_student"], "Other")
    now = utcnow()
    assignment = create_assignment(
        classroom, question_set, now - timedelta(hours=1), now + timedelta(days=1)
    )
    attempt = quiz_attempts.start_attempt(users["student"], question_set)
    live = live_services.create_session(users["teacher"], question_set, classroom)
    player, _token = live_services.join(live, None, "Guest")
    progress = progress_services.record(
        users["student"].id, attempt.responses[0].question, 0.0, now
    )
    owned = create_set(
        users["teacher"], yaml.safe_dump(set_document(id="owned")).encode(), "owned.yaml"
    )
    share = SetShare(set_id=owned.id, user_id=users["admin"].id, can_edit=False)
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
    db.session.commit()
    return {
        "attempt": attempt.id,
        "response": attempt.responses[0].id,
        "set_id": question_set.id,
        "progress": progress.id,
        "classroom": classroom.id,
        "membership": membership.id,
        "assignment": assignment.id,
        "code": classroom.join_code,
        "student_id": users["student"].id,
        "live": live.id,
        "player": player.id,
        "users": {role: user.id for role, user in users.items()},
        "owned_set": owned.id,
        "share": share.id,
        "image_hash": "a" * 64,
    }


CASES = [
    pytest.param(endpoint, role, expected, id=f"{endpoint}-{role}")
    for endpoint, (_method, _path, row) in MATRIX.items()
    for role, expected in zip(ROLES, row, strict=True)
]


@pytest.mark.parametrize(("endpoint", "role", "expected"), CASES)
def test_access(client, world, endpoint, role, expected):
    method, path, _row = MATRIX[endpoint]
    if role != "anonymous":
        # Logged in through the session cookie, not the login form: the shared world outlives
        # a case that resets a password or renews a join code, so both are read afresh.
        user = db.session.get(User, world["users"][role])
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    code = db.session.get(Classroom, world["classroom"]).join_code
    response = client.open(path.format(**{**world, "code": code}), method=method)
    status = response.status_code
    location = response.headers.get("Location", "")
    outcome = (
        LOGIN
        if status == 302 and "/auth/login" in location
        else FORBIDDEN
        if status == 403
        else HIDDEN
        if status == 404
        else OK  # 400/409/422: the view ran and judged the empty request
        if status < 400 or status in (400, 409, 422)
        else f"unexpected {status}"
    )
    assert outcome == expected, f"{method} {path} as {role}: {status} {location}"
