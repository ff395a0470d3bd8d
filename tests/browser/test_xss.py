"""XSS: hostile text in every field that people control, seen in Chromium on every page that
shows it, as a student, a teacher and an administrator.

The corpus (script tags, event handlers, `javascript:` and `data:` URLs, SVG payloads,
attribute breakers, Markdown links) goes into usernames, display names, class names, roster
lines, free-text answers, every text field of a question file, and, posted by the browser
itself, into every field of every form (the pages that answer a refused form show it back).
Each page fails the test on any dialog, any console error (a CSP violation is one), any
uncaught error, any payload that ran (each sets `window.__xss`), and any element that could
run one later: an `on*` attribute, a `javascript:`/`vbscript:`/`data:` URL in a link or a
source, a script with inline code, a frame, an object or a `<base>`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import yaml

from quizapp.auth.services import create_user
from quizapp.bank.sync import sync_directory
from quizapp.classes.assignments import create_assignment
from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join as join_class
from quizapp.classes.roster import add_roster
from quizapp.extensions import db
from quizapp.models import QuestionSet, utcnow
from quizapp.progress import services as progress_services
from quizapp.quiz import attempts

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"

PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=window.__xss=2>",
    "<svg onload=window.__xss=3>",
    '"><svg/onload=window.__xss=4>',
    "'><img src=x onerror=alert(5)>",
    "javascript:window.__xss=6",
    "data:text/html,<script>window.__xss=7</script>",
    '<a href="javascript:window.__xss=8">a</a>',
    "[link](javascript:window.__xss=9)",
    "<svg><script>window.__xss=10</script></svg>",
    '<iframe srcdoc="<script>parent.__xss=11</script>">',
    '" autofocus onfocus="window.__xss=12" x="',
    "</textarea></title><script>alert(13)</script>",
    "<math><style><img src=x onerror=window.__xss=14>",
    '![i](javascript:window.__xss=15) <http://x/" onmouseover=alert(16)>',
    "{{ 7*7 }} ${7*7} <base href=//x/>",
]
ALL = "\n\n".join(PAYLOADS)


def short(index: int, limit: int = 60) -> str:
    return PAYLOADS[index % len(PAYLOADS)][:limit]


# Run in the page after each load: what injected markup would have left behind.
DANGER_SCAN = """() => {
  const found = [];
  const bad = /^(javascript|vbscript|data):/i;
  const urlAttributes = ['href', 'src', 'action', 'formaction', 'xlink:href', 'srcdoc', 'data'];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, '');
      if (name.startsWith('on')) found.push(`${el.tagName} ${name}="${attr.value}"`);
      const image = /^data:image\\/(png|gif|jpeg|webp);/i.test(value);
      if (urlAttributes.includes(name) && bad.test(value) && !image)
        found.push(`${el.tagName} ${name}="${attr.value}"`);
    }
    const tag = el.tagName.toLowerCase();
    if (['iframe', 'frame', 'object', 'embed', 'base'].includes(tag)) found.push(`<${tag}>`);
    if (tag === 'script' && (!el.src || el.textContent.trim()))
      found.push(`inline <script>${el.textContent}`);
  }
  return found;
}"""


class Watch:
    """Everything a page did that it should not have."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        self.documents: set[str] = set()  # pages loaded: a refused form's page is a 4xx
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught error: {error}"))

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"{self.page.url}: {dialog.type} dialog: {dialog.message}")
        dialog.dismiss()

    def _response(self, response: Any) -> None:
        if response.request.resource_type == "document":
            self.documents.add(response.url)

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        source = (message.location or {}).get("url", "")
        # A page answering a refused form with its 4xx status is as it should be (and the
        # browser's own favicon request is no resource of the page); anything else, such as
        # an injected <img src=x>, is a problem.
        if message.text.startswith("Failed to load resource") and (
            source in self.documents or source.endswith("/favicon.ico")
        ):
            return
        self.problems.append(f"{self.page.url}: console error: {message.text} ({source})")

    def check(self, what: str) -> None:
        """The page as loaded now: nothing ran, nothing could run."""
        self.page.wait_for_load_state("load")
        ran = self.page.evaluate("() => window.__xss ?? (window.parent && window.parent.__xss)")
        if ran is not None:
            self.problems.append(f"{what} ({self.page.url}): payload {ran} ran")
        for found in self.page.evaluate(DANGER_SCAN):
            self.problems.append(f"{what} ({self.page.url}): {found[:160]}")

    def visit(self, url: str, what: str, shows: str | None = None) -> None:
        """Load and check a page; `shows`: a payload it must display, as text."""
        self.page.goto(url)
        self.check(what)
        if shows is not None and shows not in self.page.inner_text("body"):
            self.problems.append(f"{what}: the payload {shows!r} is not shown: a vacuous check")

    def post_every_form(self, what: str) -> None:
        """Put a payload into every field of every form of the page (selects and typed inputs
        become text), submit each in turn, and check the page that answers."""
        url = self.page.url
        # one form per route: the role form of each account is the same form
        actions = self.page.evaluate(
            "() => Array.from(document.forms, f => (f.getAttribute('action') || '')"
            ".replace(/[0-9]+/g, 'N'))"
        )
        for index, action in enumerate(actions):
            if action in actions[:index]:
                continue
            self.page.goto(url)
            filled = self.page.evaluate(
                """([index, payloads]) => {
                  const form = document.forms[index];
                  // logging out would end the visit; the others are all fair game
                  const action = form && (form.getAttribute('action') || '');
                  if (!form || action.endsWith('/auth/logout')) return false;
                  let n = 0;
                  for (const el of Array.from(form.elements)) {
                    if (!el.name || el.name === 'csrf_token' || el.type === 'submit') continue;
                    const value = payloads[n++ % payloads.length];
                    if (el.tagName === 'SELECT') {
                      el.add(new Option('x', value)); el.value = value;
                    } else if (el.type === 'checkbox' || el.type === 'radio') {
                      el.value = value; el.checked = true;
                    } else if (el.type !== 'file') {
                      el.type = el.tagName === 'TEXTAREA' ? undefined : 'text';
                      el.removeAttribute('maxlength'); el.value = value;
                    }
                  }
                  form.noValidate = true;
                  return true;
                }""",
                [index, PAYLOADS],
            )
            if not filled:
                continue
            with self.page.expect_navigation():
                self.page.evaluate(f"() => document.forms[{index}].requestSubmit()")
            self.check(f"{what}, form {index} posted back")


def log_in(watch: Watch, base: str, username: str) -> None:
    page = watch.page
    page.goto(base + "/auth/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def hostile_set() -> dict[str, Any]:
    """A valid question set with a payload in every text field the schema has."""
    return {
        "id": "xss",
        "title": short(0),
        "language": "en",
        "description": ALL,
        "source": {
            "title": short(1),
            "author": short(2),
            "publisher": short(3),
            "url": 'https://example.org/?q="><script>window.__xss=20</script>',
        },
        "settings": {"feedback": "after_submit", "shuffle_choices": False},
        "tags": ["xss"],
        "questions": [
            {
                "id": "single",
                "type": "single",
                "prompt": ALL,
                "choices": [{"text": p, "feedback": p} for p in PAYLOADS[:6]],
                "answer": PAYLOADS[0],
                "explanation": ALL,
                "quote": ALL,
            },
            {
                "id": "multiple",
                "type": "multiple",
                "prompt": short(4),
                "choices": [{"text": p, "feedback": p} for p in PAYLOADS[6:12]],
                "answer": [PAYLOADS[6]],
                "explanation": short(5),
            },
            {"id": "tf", "type": "true_false", "prompt": short(6), "answer": True},
            {
                "id": "numeric",
                "type": "numeric",
                "prompt": short(7),
                "answer": 1,
                "unit": short(8),
            },
            {
                "id": "text",
                "type": "text",
                "prompt": short(9),
                "accept": PAYLOADS[:4],
                "explanation": short(10),
            },
            {"id": "order", "type": "order", "prompt": short(11), "items": PAYLOADS[10:14]},
            {
                "id": "match",
                "type": "match",
                "prompt": short(12),
                "pairs": [[PAYLOADS[i], PAYLOADS[i + 1]] for i in (12, 14)],
            },
        ],
    }


@pytest.fixture
def hostile_world(app, questions_dir) -> dict[str, Any]:
    """Accounts, a class, a roster, an assignment, attempts and a review card, all named with
    payloads; a set whose `source.url` is `javascript:` (loaded only if the schema accepts it)
    and a broken file whose errors quote a payload."""
    (questions_dir / "xss.yaml").write_text(
        yaml.safe_dump(hostile_set(), allow_unicode=True, sort_keys=False)
    )
    javascript_source = hostile_set() | {
        "id": "xss-url",
        "title": "Source link",
        "source": {"title": "Click me", "url": "javascript:window.__xss=21"},
    }
    (questions_dir / "xss-url.yaml").write_text(
        yaml.safe_dump(javascript_source, allow_unicode=True, sort_keys=False)
    )
    (questions_dir / "broken.yaml").write_text(
        f"id: broken\ntitle: {PAYLOADS[1]!r}\nlanguage: '{PAYLOADS[2]}'\nquestions: []\n"
    )
    sync_directory(questions_dir)
    question_set = db.session.scalar(db.select(QuestionSet).where(QuestionSet.slug == "xss"))
    assert question_set is not None, "the hostile set must load"
    url_set = db.session.scalar(db.select(QuestionSet).where(QuestionSet.slug == "xss-url"))
    teacher = create_user("teach", PASSWORD, role="teacher", display_name=short(3))
    student = create_user(short(4), PASSWORD, display_name=short(2))
    create_user("boss", PASSWORD, role="admin", display_name=short(11))
    create_user(short(1, 64), PASSWORD, display_name=short(12))
    classroom = create_classroom(teacher, short(0, 100), "Europe/Paris")
    join_class(classroom, student, short(3, 80))
    add_roster(classroom, [short(i, 80) for i in range(5, 10)])
    now = utcnow()
    assignment = create_assignment(
        classroom, question_set, now - timedelta(hours=1), now + timedelta(days=7)
    )
    answers = {
        "single": 0,
        "multiple": [0],
        "true_false": False,
        "numeric": "2",
        "text": ALL[:500],
        "order": [2, 0, 1, 3],
        "match": [1, 0],
    }
    graded = attempts.start_attempt(student, question_set, assignment=assignment)
    for response in graded.responses:
        attempts.save_answer(graded, response, answers[response.question.type])
    attempts.submit(graded)
    open_attempt = attempts.start_attempt(student, question_set)
    for response in open_attempt.responses:
        attempts.save_answer(open_attempt, response, answers[response.question.type])
    url_attempt = None
    if url_set is not None:
        url_attempt = attempts.start_attempt(student, url_set)
        attempts.save_answer(url_attempt, url_attempt.responses[0], 0)
        attempts.submit(url_attempt)
    progress_services.record(student.id, graded.responses[1].question, 0.0, now)
    db.session.commit()
    return {
        "student": student.username,
        "student_id": student.id,
        "classroom": classroom.id,
        "assignment": assignment.id,
        "graded": graded.id,
        "open": open_attempt.id,
        "url_attempt": url_attempt.id if url_attempt else None,
        "code": classroom.join_code,
    }


def test_hostile_text_never_runs_on_any_page(browser, site, hostile_world):
    w = hostile_world
    base = site()
    problems: list[str] = []

    # Anonymous: the public forms, posted back; a join link with a payload for its code.
    watch = Watch(browser.new_context(locale="en-GB").new_page())
    for path in ("/", "/auth/login", "/auth/register", "/join"):
        watch.visit(base + path, f"anonymous {path}")
        watch.post_every_form(f"anonymous {path}")
    watch.visit(base + "/join/%22%3E%3Csvg%20onload%3Dalert(1)%3E", "join link")
    problems += watch.problems

    # The student: catalogue, questions, review, results, assignments, progress, account.
    watch = Watch(browser.new_context(locale="en-GB").new_page())
    log_in(watch, base, w["student"])
    pages = [
        "/quizzes",
        f"/quizzes?language={PAYLOADS[3]}&tag={PAYLOADS[1]}",
        *(f"/attempts/{w['open']}/questions/{n}" for n in range(1, 8)),
        f"/attempts/{w['open']}/summary",
        f"/attempts/{w['graded']}",
        "/assignments",
        "/dashboard",
        "/review",
        "/account/",
    ]
    if w["url_attempt"]:
        pages.append(f"/attempts/{w['url_attempt']}")
    for path in pages:
        watch.visit(base + path, f"student {path}")
    watch.visit(base + "/quizzes", "catalogue", shows=short(0))
    watch.visit(base + f"/attempts/{w['graded']}", "result", shows=PAYLOADS[7])
    watch.visit(base + "/assignments", "assignments", shows=short(0, 100))
    watch.visit(base + f"/attempts/{w['open']}/questions/5", "text question")
    if not watch.page.get_by_label("Your answer").input_value().startswith(PAYLOADS[0]):
        problems.append("the saved text answer is not in its field: a vacuous check")
    for path in ("/account/", f"/attempts/{w['open']}/questions/5", "/review", "/join"):
        watch.visit(base + path, f"student {path}")
        watch.post_every_form(f"student {path}")
    problems += watch.problems

    # The teacher: classes, the class (forms posted back), results, a student, the bank.
    watch = Watch(browser.new_context(locale="en-GB").new_page())
    log_in(watch, base, "teach")
    classroom = f"/classes/{w['classroom']}"
    watch.visit(base + classroom, "class page", shows=short(5, 80))
    for path in (
        "/classes",
        classroom,
        f"{classroom}/qr.svg",
        f"{classroom}/assignments/{w['assignment']}",
        f"{classroom}/students/{w['student_id']}",
        "/teacher/bank",
    ):
        watch.visit(base + path, f"teacher {path}")
    watch.visit(base + "/classes", "teacher /classes")
    watch.post_every_form("teacher /classes")
    watch.visit(base + classroom, "teacher class page")
    watch.page.get_by_label("Names, one per line").fill("\n".join(short(i, 80) for i in (10, 13)))
    watch.page.get_by_role("button", name="Create the accounts").click()
    watch.check("login cards of a roster")
    watch.visit(base + classroom, "teacher class page")
    watch.post_every_form("teacher class page")
    problems += watch.problems

    # The administrator: the accounts, searched with a payload, their forms posted back.
    watch = Watch(browser.new_context(locale="en-GB").new_page())
    log_in(watch, base, "boss")
    watch.visit(base + "/admin/users", "admin users", shows=short(1, 64))
    watch.visit(base + f"/admin/users?q={PAYLOADS[4]}", "admin search")
    watch.visit(base + "/admin/users", "admin users")
    watch.post_every_form("admin users")
    problems += watch.problems

    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
