"""Request logs: one line per request with its id, text or JSON, and never a secret."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from quizapp import logs
from quizapp.models import Classroom

TEACHER_PASSWORD = "teacher-pw-Zq81-never-logged"
STUDENT_PASSWORD = "student-pw-Kx52-never-logged"
NEW_PASSWORD = "student-new-pw-Lm07-never-logged"
KEYS = ["answer-key-Vega-2015", "answer-key-Orion-Microsoft"]


class Captured:
    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()


@pytest.fixture(params=["text", "json"])
def captured(request: pytest.FixtureRequest, app) -> Iterator[Captured]:
    """The `quizapp` logs as the configured handler formats them, in text or JSON."""
    logs.configure_logging(request.param, "INFO")
    logger = logging.getLogger("quizapp")
    installed = next(h for h in logger.handlers if isinstance(h, logs.QuizappHandler))
    capture = Captured()
    handler = logging.StreamHandler(capture.stream)
    handler.setFormatter(installed.formatter)
    handler.addFilter(logs.RequestIdFilter())
    logger.addHandler(handler)
    capture.format = request.param  # type: ignore[attr-defined]
    try:
        yield capture
    finally:
        logger.removeHandler(handler)
        logs.configure_logging("text", "INFO")


def request_lines(capture: Captured) -> list[dict[str, str]]:
    """The request lines, as dicts of request_id, method, path, status."""
    found = []
    for line in capture.lines:
        if capture.format == "json":  # type: ignore[attr-defined]
            record = json.loads(line)  # every line is one JSON document
            if record["name"] == "quizapp.request":
                found.append(
                    {k: str(record[k]) for k in ("request_id", "method", "path", "status")}
                )
        else:
            match = re.search(
                r"quizapp\.request \[(?P<request_id>[^\]]+)\] (?P<method>\S+) (?P<path>\S+) "
                r"(?P<status>\d+) ",
                line,
            )
            if match:
                found.append(match.groupdict())
    return found


def test_every_request_gets_one_line_and_its_id_in_a_header(client, captured):
    first = client.get("/")
    refused = client.get("/dashboard")  # the access rule answers before any view runs
    missing = client.get("/no/such/page?secret=1")
    lines = request_lines(captured)
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/", "200"),
        ("GET", "/dashboard", "302"),
        ("GET", "/no/such/page", "404"),
    ]
    ids = [r.headers["X-Request-ID"] for r in (first, refused, missing)]
    assert [line["request_id"] for line in lines] == ids
    assert len(set(ids)) == 3
    assert "secret" not in captured.stream.getvalue()


def test_a_proxys_request_id_is_kept_and_a_strange_one_replaced(client, captured):
    kept = client.get("/", headers={"X-Request-ID": "nginx-4f2a9c1e77"})
    assert kept.headers["X-Request-ID"] == "nginx-4f2a9c1e77"
    forged = client.get("/", headers={"X-Request-ID": 'x] FAKE LOG LINE " {'})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])
    assert "FAKE" not in captured.stream.getvalue()


def test_health_checks_are_logged_only_when_they_fail(client, db, captured):
    db.session.execute(sa.text("DROP TABLE alembic_version"))  # no stamp: the schema is behind
    db.session.commit()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503
    assert [line["path"] for line in request_lines(captured)] == ["/readyz"]


def test_an_error_is_logged_with_its_request_id_and_traceback(app, client, captured):
    def broken() -> str:
        raise RuntimeError("boom")

    broken.access = frozenset({"public"})  # type: ignore[attr-defined]
    app.add_url_rule("/broken", "broken", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500 as in production
    response = client.get("/broken")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    text = captured.stream.getvalue()
    assert "RuntimeError: boom" in text
    error_lines = [line for line in captured.lines if "Exception on /broken" in line]
    assert len(error_lines) == 1 and request_id in error_lines[0]
    assert request_lines(captured)[-1]["status"] == "500"


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_a_full_quiz_run_logs_no_password_token_cookie_or_answer_key(
    app, client, captured, make_user, make_set, db
):
    """Log in, create a class, join it, take a quiz, change a password: then grep the logs."""
    app.config["WTF_CSRF_ENABLED"] = True
    make_set(
        questions=[
            {
                "id": "year",
                "type": "single",
                "prompt": "When was OpenAI founded?",
                "choices": ["2014", KEYS[0]],
                "answer": KEYS[0],
            },
            {
                "id": "investor",
                "type": "text",
                "prompt": "Who invested 10 billion dollars?",
                "accept": [KEYS[1]],
            },
        ]
    )
    make_user("teacher", role="teacher", password=TEACHER_PASSWORD)
    tokens = set()

    def post(path: str, form_page: str, data: dict[str, str]):
        token = csrf_token(client.get(form_page).get_data(as_text=True))
        tokens.add(token)
        return client.post(path, data={"csrf_token": token, **data})

    login = {"username": "teacher", "password": TEACHER_PASSWORD}
    assert post("/auth/login", "/auth/login", login).status_code == 302
    created = post("/classes", "/classes", {"name": "5e B", "timezone": "Europe/Paris"})
    assert created.status_code == 302
    code = db.session.scalar(db.select(Classroom.join_code))
    assert client.get(created.headers["Location"]).status_code == 200
    post("/auth/logout", "/classes", {})
    register = {"username": "lea", "password": STUDENT_PASSWORD, "confirm": STUDENT_PASSWORD}
    assert post("/auth/register", "/auth/register", register).status_code == 302
    joined = post(f"/join/{code}", f"/join/{code}", {"code": code, "display_name": "Léa"})
    assert joined.status_code == 302
    first = post("/quizzes/sample/start", "/quizzes", {}).headers["Location"]
    assert post(first, first, {"answer": "1", "action": "next"}).status_code == 302
    second = first.replace("/questions/1", "/questions/2")
    assert post(second, second, {"answer": KEYS[1], "action": "review"}).status_code == 302
    review = second.replace("/questions/2", "/summary")
    result = post(review.replace("/summary", "/submit"), review, {})
    assert result.status_code == 302
    assert "100%" in client.get(result.headers["Location"]).get_data(as_text=True)
    token = csrf_token(client.get("/account/").get_data(as_text=True))
    changed = client.post(
        "/account/password",
        data={
            "pw-csrf_token": token,
            "pw-current": STUDENT_PASSWORD,
            "pw-password": NEW_PASSWORD,
            "pw-confirm": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    session_cookie = client.get_cookie("session").value

    text = captured.stream.getvalue()
    secrets = [TEACHER_PASSWORD, STUDENT_PASSWORD, NEW_PASSWORD, session_cookie, code, *KEYS]
    assert [secret for secret in secrets + sorted(tokens) if secret in text] == []
    assert len(request_lines(captured)) >= 20  # the run was logged, line by line
    assert "/join/<code>" in text
