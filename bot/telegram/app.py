"""Build and run the python-telegram-bot Application: handlers registered in one place."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from telegram import BotCommand, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter, Application
from telegram.request import BaseRequest

from bot.i18n import INTERFACE_LANGUAGES, N_, translator
from bot.live_knowledge import LiveKnowledge
from bot.settings import Settings
from bot.storage import Storage
from bot.telegram import admin, enquiry_delivery, prompt_stop, routes, staff_access
from bot.telegram.context import CONTEXT_TYPES, Context, KtApplication
from bot.telegram.errors import retry_delay, short_error
from bot.telegram.inbox import DurableUpdateQueue, InboxUpdateProcessor
from bot.telegram.jobs import AT_START, run_now_and_every
from bot.telegram.watcher import watch_knowledge

log = logging.getLogger(__name__)

COMMANDS = (
    ("start", N_("Welcome and topic browser")),
    ("topics", N_("Browse what I know")),
    ("help", N_("What I can do")),
    ("contact", N_("Reach a person at CERN Knowledge Transfer")),
    ("language", N_("Answer in English or in French")),
    ("forget", N_("Delete what I recorded about you")),
)
"""The command menu, its descriptions in each interface language (`commands_in`)."""


def commands_in(language: str) -> tuple[BotCommand, ...]:
    t = translator(language)
    return tuple(BotCommand(name, t.gettext(description)) for name, description in COMMANDS)


HEARTBEAT_SECONDS = 30
CHECKPOINT_SECONDS = 600
"""How long the -wal file may keep the earlier version of a handled update, with the user's
Telegram id, after the inbox emptied it (SQLite alone checkpoints only at about 4 MB)."""
# The weekly digest goes out at a fixed time (Monday 08:00 UTC; PTB counts days from Sunday=0),
# not "7 days after start", which a bot restarted every few days would never reach.
DIGEST_TIME = time(8, 0, tzinfo=UTC)
DIGEST_DAYS = (1,)
# How many updates are processed at once: matching is CPU-cheap, replies wait on the network.
CONCURRENT_UPDATES = 64
# Keep retrying if Telegram is unreachable at start-up (network not up yet, outage) instead of
# exiting with a traceback; each failed attempt is logged by PTB.
BOOTSTRAP_RETRIES = -1
# A short pause between getUpdates calls lets a busy bot take updates in batches instead of
# one HTTP round trip per update: 155 → 289 updates/s in bench/load.py, for at most 50 ms
# more latency on a quiet bot (long polling still returns the moment a message arrives).
POLL_INTERVAL_SECONDS = 0.05


def build_application(
    settings: Settings, knowledge: LiveKnowledge, *, request: BaseRequest | None = None
) -> KtApplication:
    """The configured Application; storage opens in post_init, inside the event loop.

    `request` replaces the HTTP layer (tests pass an in-process fake Bot API).
    """
    token = settings.require_token()
    queue = DurableUpdateQueue()
    builder = (
        Application.builder()
        .context_types(CONTEXT_TYPES)
        .token(token)
        .update_queue(queue)
        .concurrent_updates(InboxUpdateProcessor(CONCURRENT_UPDATES, queue))
        # Retries 429 (honouring retry_after) and keeps bursts under Telegram's send limits.
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.send_rate_per_second, max_retries=3))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = (
            builder.connect_timeout(10)
            .read_timeout(15)
            .write_timeout(15)
            .pool_timeout(10)
            .connection_pool_size(CONCURRENT_UPDATES)
            .get_updates_read_timeout(35)
        )
    if settings.telegram_api_url:
        builder = builder.base_url(settings.telegram_api_url).base_file_url(
            settings.telegram_api_url.replace("/bot", "/file/bot")
        )
    application = builder.build()
    application.bot_data.configure(settings, knowledge)
    register_handlers(application, settings)
    return application


def register_handlers(application: KtApplication, settings: Settings) -> None:
    """Every route of `routes.ROUTES`, in the order Telegram updates are tried."""
    application.add_handlers(routes.handlers(settings))
    application.add_error_handler(on_error)


async def _post_init(application: KtApplication) -> None:
    bot_data = application.bot_data
    settings, knowledge = bot_data.settings, bot_data.knowledge
    storage = await Storage.open(settings.db_path)
    bot_data.start(storage)
    if isinstance(application.update_queue, DurableUpdateQueue):
        application.update_queue.storage = storage
        application.update_queue.user_key = bot_data.user_key
        await application.update_queue.replay_held(application.bot)
    try:
        # English for every app language, then each translation for apps set to it.
        await application.bot.set_my_commands(commands_in("en"))
        for language in INTERFACE_LANGUAGES:
            if language != "en":
                await application.bot.set_my_commands(commands_in(language), language_code=language)
    except TelegramError as exc:
        # The menu is a convenience; the bot answers without it. It is set again next start.
        log.warning("could not register the command menu with Telegram: %s", short_error(exc))
    await staff_access.set_admin_menus(application, commands_in("en"))
    enquiry_delivery.schedule(application)  # first run now: what a crash left is sent
    jobs = application.job_queue
    if jobs is not None:
        jobs.run_repeating(_purge_old, interval=timedelta(days=1), first=60, name="retention")
        run_now_and_every(jobs, _heartbeat, HEARTBEAT_SECONDS, "heartbeat")
        jobs.run_repeating(
            _checkpoint, interval=CHECKPOINT_SECONDS, first=CHECKPOINT_SECONDS, name="checkpoint"
        )
        if settings.admin_ids:
            jobs.run_daily(admin.weekly_digest, DIGEST_TIME, days=DIGEST_DAYS, name="digest")
    bot_data.watcher = asyncio.create_task(
        watch_knowledge(knowledge, lambda report: admin.notify_reload(application, report))
    )
    if jobs is not None:
        # post_init runs before python-telegram-bot starts polling or registers the
        # webhook; the job queue starts only once it has (Application.start), so a job due
        # now announces a bot that really takes updates (however late: no misfire limit,
        # since bootstrap may retry for a long time).
        jobs.run_once(_announce_running, when=0, name="running", job_kwargs=AT_START)
    else:
        _log_running(application)


async def _announce_running(context: Context) -> None:
    _log_running(context.application)


def _log_running(application: KtApplication) -> None:
    knowledge = application.bot_data.knowledge
    log.info(
        "ktbot is running as @%s with knowledge version %s (%d topics)",
        application.bot.username,
        knowledge.kb.version,
        len(knowledge.kb.topics),
    )


async def _post_stop(application: KtApplication) -> None:
    task, application.bot_data.watcher = application.bot_data.watcher, None
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _post_shutdown(application: KtApplication) -> None:
    if isinstance(application.update_queue, DurableUpdateQueue):
        await application.update_queue.flush()
    if application.bot_data.started:
        await application.bot_data.storage.close()
    log.info("ktbot stopped")


async def _purge_old(context: Context) -> None:
    svc = context.application.bot_data
    cutoff = datetime.now(UTC) - timedelta(days=svc.settings.retention_days)
    removed = await svc.storage.purge_older_than(cutoff)
    log.info(
        "retention: purged %d exchange(s) older than %s days", removed, svc.settings.retention_days
    )


async def _checkpoint(context: Context) -> None:
    await context.application.bot_data.storage.checkpoint()


def heartbeat_path(settings: Settings) -> Path:
    return settings.db_path.parent / "heartbeat"


async def _heartbeat(context: Context) -> None:
    """Touch the heartbeat file, but only while Telegram answers.

    A bot that runs but cannot reach Telegram serves nobody: during an outage the file ages
    and `ktbot health` (the Docker HEALTHCHECK) turns unhealthy after its --max-age.
    """
    settings = context.application.bot_data.settings
    path = heartbeat_path(settings)
    try:
        await context.bot.get_me()
    except TelegramError as exc:
        log.warning("heartbeat not written: Telegram is unreachable (%s)", short_error(exc))
        return
    try:
        path.write_text(datetime.now(UTC).isoformat(), encoding="ascii")
    except OSError as exc:
        log.warning("could not write heartbeat %s: %s", path, exc)


async def on_error(update: object, context: Context) -> None:
    """Log with context and carry on: one failing update never stops the bot."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        log.info(
            "update %s: user blocked the bot or left the chat (%s)", update_id, short_error(error)
        )
    elif isinstance(error, RetryAfter):
        wait = retry_delay(error).total_seconds()
        log.warning("update %s: Telegram rate limit, retry after %gs", update_id, wait)
    elif isinstance(error, BadRequest):
        # PTB files BadRequest under NetworkError, but it is our request Telegram refused: a
        # bug to fix (bad markup, a message too long), not a network problem.
        log.error(
            "update %s failed: Telegram refused the request: %s",
            update_id,
            short_error(error),
            exc_info=error,
        )
    elif isinstance(error, TimedOut | NetworkError):
        log.warning(
            "update %s: network problem talking to Telegram: %s", update_id, short_error(error)
        )
    else:
        log.error("update %s failed", update_id, exc_info=error)


def run_telegram_bot(
    settings: Settings,
    knowledge_dir: Path,
    *,
    webhook_url: str | None = None,
    listen: str = "0.0.0.0",
    port: int = 8443,
) -> int:
    """Run until SIGINT/SIGTERM; in-flight updates finish before the process exits."""
    knowledge = LiveKnowledge.load(knowledge_dir)
    application = build_application(settings, knowledge)
    # PTB logs its start-up retries at DEBUG only: say what we are waiting for.
    log.info(
        "connecting to the Telegram Bot API%s (%s); retrying until it answers",
        f" at {settings.telegram_api_url}" if settings.telegram_api_url else "",
        f"webhook {webhook_url}" if webhook_url else "polling",
    )
    # Our stop signal handlers instead of python-telegram-bot's (see prompt_stop), on the
    # loop run_polling/run_webhook then use.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    prompt_stop.install(loop)
    if webhook_url:
        secret = settings.webhook_secret or secrets.token_urlsafe(32)
        application.run_webhook(
            listen=listen,
            port=port,
            url_path="telegram",
            webhook_url=webhook_url.rstrip("/") + "/telegram",
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
            bootstrap_retries=BOOTSTRAP_RETRIES,
            stop_signals=None,
        )
    else:
        application.run_polling(
            allowed_updates=Update.ALL_TYPES,
            bootstrap_retries=BOOTSTRAP_RETRIES,
            poll_interval=POLL_INTERVAL_SECONDS,
            stop_signals=None,
        )
    return 0
