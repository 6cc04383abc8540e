# The bot in a container: `docker compose up` runs it beside PostgreSQL 16 (compose.yaml);
# alone, `docker run --env-file .env -v coach-data:/data IMAGE` runs it on SQLite in /data.
FROM python:3.12-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite:////data/trailcoach.sqlite3 \
    HEALTH_PORT=8080

RUN useradd --create-home --uid 10001 coach && mkdir /data && chown coach /data

# The code and its virtualenv belong to root: the bot can read them, not change them.
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
COPY schedules ./schedules
RUN python3 -m venv .venv && .venv/bin/pip install -e .

USER coach
WORKDIR /data
VOLUME /data
EXPOSE 8443 8080

# The process is up: /healthz on HEALTH_PORT (readiness, /readyz, is for the orchestrator).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/app/.venv/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]

# The schema is brought up to date as the bot starts.
CMD ["/app/.venv/bin/python", "-m", "bot", "run"]
