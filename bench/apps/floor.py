"""The floor under quizapp's pages: quizapp itself, with two probe routes added.

Served by `bench/hot_paths.py --floor` beside quizapp and the ceiling (same gunicorn settings,
same database, same secret key, so the students' session cookies hold here too):

- `/_floor/hooks`: a public page returning a short text. Every per-request layer runs
  (ProxyFix, the page gate, the session, the access rule, the input guard, the rate limiter,
  the security headers, the request log), nothing else: what any page of quizapp costs.
- `/_floor/page/<attempt_id>`: a logged-in page (the user loaded as for every page), one Core
  statement reading the student's attempt, and a small template compiled once: the cheapest
  page that still does what the question page must do.

Their ratios to the ceiling bound what the hot paths can reach without lighter layers.
"""

from flask import abort
from flask_login import current_user
from sqlalchemy import bindparam, select

from quizapp import access, create_app
from quizapp.extensions import db
from quizapp.models import Attempt

app = create_app()
PAGE = app.jinja_env.from_string(
    "<!doctype html><title>Attempt {{ id }}</title><h1>Attempt {{ id }}</h1><p>{{ state }}</p>"
    + "<p>A paragraph of a page's fixed text.</p>" * 100
)
ATTEMPT = select(Attempt.id, Attempt.state).where(
    Attempt.id == bindparam("id"), Attempt.user_id == bindparam("user_id")
)


@app.route("/_floor/hooks")
@access.public
def hooks() -> str:
    return "<!doctype html><title>floor</title><p>Hello, class.</p>"


@app.route("/_floor/page/<int:attempt_id>")
@access.logged_in
def page(attempt_id: int) -> str:
    row = db.session.execute(ATTEMPT, {"id": attempt_id, "user_id": current_user.id}).first()
    if row is None:
        abort(404)
    return PAGE.render(id=row.id, state=row.state)
