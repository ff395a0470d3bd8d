# syntax=docker/dockerfile:1
# quizapp served by gunicorn (gunicorn.conf.py), dependencies pinned by requirements.lock.
#   docker build -t quizapp .      and see compose.yaml and docs/DEPLOYMENT.md to run it.

FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
WORKDIR /src
# The pinned, hashed dependencies first: this layer is rebuilt only when the lock changes.
COPY requirements.lock ./
RUN /venv/bin/pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY quizapp ./quizapp
COPY static ./static
COPY questions ./questions
COPY migrations ./migrations
# The package alone: everything it needs is already installed from the lock.
RUN /venv/bin/pip install --no-deps . \
    && /venv/bin/python -m compileall -q /venv/lib

FROM python:3.12-slim
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
COPY --from=build /venv /venv
# A user without a shell or privileges; it owns only the instance folder (translations compiled
# at start, and the SQLite file and secret key when no database or key is configured).
RUN groupadd --system --gid 10001 quizapp \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin quizapp \
    && install -d -o 10001 -g 10001 /venv/var/quizapp-instance
COPY gunicorn.conf.py /etc/quizapp/gunicorn.conf.py
WORKDIR /venv/var/quizapp-instance
VOLUME ["/venv/var/quizapp-instance"]
USER 10001:10001
EXPOSE 8000
# Liveness only: readiness (/readyz) is for the load balancer or the orchestrator to poll.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["gunicorn", "--config", "/etc/quizapp/gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm"]
