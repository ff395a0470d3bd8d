"""The ceiling of the HTTP benchmarks: a bare Flask app whose one route returns a short page.

Served by the same gunicorn settings as quizapp (`gunicorn -c gunicorn.conf.py ceiling:app`),
it is the speed no Flask page can beat on this machine: ratios are taken to it.
"""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index() -> str:
    return "<!doctype html><title>ceiling</title><p>Hello, class.</p>"


@app.route("/healthz")
def healthz() -> str:
    return "ok"
