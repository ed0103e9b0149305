# ktbot: the Telegram bot. Build: docker build -t ktbot .
# Run:   docker run -e TELEGRAM_BOT_TOKEN=... -e KTBOT_SECRET=... -v ktbot-data:/data ktbot
# Edit knowledge without rebuilding: add -v "$PWD/knowledge:/app/knowledge" (hot-reloaded);
# build with --build-arg KTBOT_UID="$(id -u)" so `ktbot unanswered promote` can write to it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# The uid of the user who owns a bind-mounted knowledge checkout, so promotes can write it.
ARG KTBOT_UID=10001
RUN useradd --create-home --uid "$KTBOT_UID" ktbot && mkdir /data && chown ktbot:ktbot /data

# Dependencies come from pyproject.toml; the package is installed as a regular (non-editable)
# wheel, so the knowledge directory is pointed to explicitly below.
COPY pyproject.toml README.md ./
COPY intents ./intents
COPY bot ./bot
RUN pip install --no-cache-dir . && rm -rf build *.egg-info

# Owned by the bot's user: `docker exec ktbot ktbot unanswered promote …` edits it.
COPY --chown=ktbot:ktbot knowledge ./knowledge

ENV KTBOT_KNOWLEDGE_DIR=/app/knowledge \
    KTBOT_DB=/data/ktbot.sqlite3 \
    KTBOT_LOG_LEVEL=INFO

USER ktbot
# The matcher's scoring loops are compiled by numba (intents/matching/kernels.py): compiled once
# here into the bot user's cache (~/.cache/numba, since site-packages is not theirs to write),
# not at every container start.
RUN ktbot ask "What is CERN-MEDICIS?" > /dev/null
VOLUME ["/data"]
# Webhook mode listens here (ktbot run --webhook-url https://... --port 8443).
EXPOSE 8443

# The bot's heartbeat job touches /data/heartbeat every 30 s while Telegram answers it (getMe):
# during a Telegram outage the file ages and the container turns unhealthy after ~2 minutes.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 CMD ["ktbot", "health"]

CMD ["ktbot", "run"]
