# actionbot as a container: `actionbot run` as a non-root user, probed on /healthz.
#
# Build:  docker build -t actionbot .
# Run:    docker run --env-file docs/deploy/actionbot.env -p 3978:3978 -v actionbot-data:/data actionbot
# Several instances on one PostgreSQL: compose.yaml. What each setting means: README, "Deploy".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY config ./config
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin actionbot \
    && mkdir -p /data \
    && chown actionbot /data

# Defaults for a container: listen on every interface inside it (the port is published, or a
# TLS proxy sits in front); keep the SQLite file and the maildrop on the /data volume unless
# ACTIONBOT_DATABASE_URL names PostgreSQL; one JSON object per log line for the log collector.
ENV ACTIONBOT_HTTP_HOST=0.0.0.0 \
    ACTIONBOT_HTTP_PORT=3978 \
    ACTIONBOT_DATABASE_URL=sqlite:////data/actionbot.db \
    ACTIONBOT_MAILDROP=/data/maildrop \
    ACTIONBOT_LOG_FORMAT=json

USER actionbot
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3978

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3978/healthz', timeout=4).status == 200 else 1)"]

# SIGTERM (docker stop) stops taking work, finishes the message in hand and exits 0.
STOPSIGNAL SIGTERM
CMD ["actionbot", "run"]
