"""No request is a server error: every route, form field and query argument, fuzzed as an
anonymous visitor, a student, a teacher and an administrator (see tests/fuzzing.py).

Short here (bounded examples); `bench/fuzz.py` runs the long version. A 500 (in tests, the
exception itself: TESTING propagates it) is a bug: bad input gets a 4xx page.
"""

from __future__ import annotations

from typing import Any

import pytest
from fuzzing import (
    VISITORS,
    Form,
    Request,
    Visitors,
    build_world,
    crawl,
    fuzz_requests,
    merge_forms,
    targets,
)
from hypothesis import HealthCheck, given, settings

# The inputs that once were 500s, sent in every field and query argument by the sweep.
KNOWN_BAD = ("a\x00b", "ß" * 40, "99999999999999999999", "sNaN")


@pytest.fixture
def fuzz(app, db, questions_dir) -> dict[str, Any]:
    # Limits stay on (their code runs) but high enough not to lock the visitors out.
    app.config.update(LOGIN_RATE_LIMIT="100000 per minute", JOIN_RATE_LIMIT="100000 per minute")
    world = build_world(questions_dir)
    visitors = Visitors(app, world)
    pages: dict[str, set[str]] = {v: set() for v in VISITORS}
    seen = {v: crawl(app, visitors.clients[v], world, pages[v]) for v in VISITORS}
    return {
        "world": world,
        "visitors": visitors,
        "seen": seen,
        "pages": pages,
        "forms": merge_forms(*seen.values()),
        "targets": targets(app),
    }


def test_the_crawl_finds_the_forms_of_every_kind_of_visitor(fuzz):
    forms = fuzz["forms"]
    # one form per question type, the teacher's class forms, the visitors' own forms
    assert {"POST quiz.question", "POST classes.assign", "POST classes.roster"} <= set(forms)
    assert {"POST auth.login", "POST auth.register", "POST admin.set_role"} <= set(forms)
    answer_fields = {name for name in forms["POST quiz.question"].fields if "answer" in name}
    assert {"answer", "answer-item_0", "answer-left_0"} <= answer_fields
    assert "file" in forms["POST classes.roster"].files
    assert "late_penalty" in forms["POST classes.assign"].fields
    catalogue = next(t for t in fuzz["targets"] if t.endpoint == "quiz.catalogue")
    assert {"language", "tag", "lang", "page"} <= set(catalogue.query)


def attempt(visitors: Visitors, visitor: str, request: Request) -> str | None:
    """Send; the failure in words if the server erred (a 500, or the exception it raised)."""
    try:
        response = visitors.send(visitor, request)
    except Exception as error:  # TESTING propagates the view's exception: that is the 500
        return f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"
    if response.status_code >= 500:
        return f"status {response.status_code}"
    return None


def test_known_bad_inputs_in_every_field_and_argument(fuzz):
    """Each field of each form, and each query argument of each page, given each input that
    once broke a page, by the first kind of visitor who sees it; the other fields keep a value
    the form offers. Every server error is listed, not only the first."""
    visitors, world = fuzz["visitors"], fuzz["world"]
    by_endpoint = {(t.endpoint, t.method): t for t in fuzz["targets"]}
    serial = iter(range(10**6))
    planned: dict[tuple[str, ...], tuple[str, Request]] = {}
    for visitor in ("student", "teacher", "anonymous", "admin"):
        for key, form in fuzz["seen"][visitor].items():
            target = by_endpoint[(form.endpoint, form.method)]
            for name in set(form.fields) - form.files:
                for value in KNOWN_BAD:
                    data = {**form.valid_data(next(serial)), name: value}
                    request = (
                        Request(target, form.arguments, data, {}, world)
                        if form.method == "GET"
                        else Request(target, form.arguments, {}, data, world)
                    )
                    planned.setdefault((key, name, value), (visitor, request))
        for target in fuzz["targets"]:
            if target.method == "GET" and target.endpoint in fuzz["pages"][visitor]:
                for name in target.query:
                    for value in KNOWN_BAD:
                        request = Request(target, {"number": 1}, {name: value}, {}, world)
                        planned.setdefault((target.endpoint, name, value), (visitor, request))
    assert len(planned) > 200
    failures = []
    for visitor, request in planned.values():
        failure = attempt(visitors, visitor, request)
        if failure:
            failures.append(f"as {visitor}: {request.describe()[:300]} -> {failure}")
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)


@pytest.mark.parametrize("visitor", VISITORS)
def test_fuzzed_requests_are_never_server_errors(fuzz, visitor):
    visitors = fuzz["visitors"]
    strategy = fuzz_requests(fuzz["targets"], fuzz["forms"], fuzz["world"])

    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(request=strategy)
    def never_a_server_error(request: Request) -> None:
        failure = attempt(visitors, visitor, request)
        assert failure is None, f"{request.describe()[:500]} -> {failure}"

    never_a_server_error()


def test_forms_found_are_forms_of_the_app(fuzz):
    """Every form found posts to a route of the app (the crawl reads actions right)."""
    endpoints = {t.endpoint for t in fuzz["targets"]}
    assert all(isinstance(f, Form) and f.endpoint in endpoints for f in fuzz["forms"].values())
