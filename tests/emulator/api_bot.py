"""Bot API methods about the bot itself: identity, updates, commands, webhook."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .commands import commands_key
from .errors import GET_UPDATES_WITH_WEBHOOK, TERMINATED_BY_OTHER_GET_UPDATES, ApiError
from .models import Described, JsonDict, WebhookConfig
from .params import Params
from .state import BotState

MAX_UPDATES_PER_CALL = 100
MAX_POLL_TIMEOUT = 50.0
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


async def get_me(state: BotState, p: Params) -> JsonDict:
    return {
        **state.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def get_updates(state: BotState, p: Params) -> list[JsonDict]:
    """Long polling: answer as soon as an update is pending, or with [] after ``timeout``."""
    if state.webhook is not None:
        raise ApiError.conflict(GET_UPDATES_WITH_WEBHOOK)
    limit = min(max(p.integer("limit") or MAX_UPDATES_PER_CALL, 1), MAX_UPDATES_PER_CALL)
    timeout = min(max(p.number("timeout", 0.0), 0.0), MAX_POLL_TIMEOUT)
    allowed = p.array("allowed_updates")
    if allowed is not None:
        state.allowed_updates = [str(kind) for kind in allowed]
    state.confirm(p.integer("offset", 0) or 0)
    state.poll_generation += 1
    generation = state.poll_generation

    def outcome() -> list[JsonDict] | ApiError | None:
        if state.poll_generation != generation:
            return ApiError.conflict(TERMINATED_BY_OTHER_GET_UPDATES)
        if state.webhook is not None:
            return ApiError.conflict(GET_UPDATES_WITH_WEBHOOK)
        if state.pending or state.closing:
            return list(state.pending[:limit])
        return None

    try:
        result: list[JsonDict] | ApiError = await state.changed.until(outcome, timeout)
    except TimeoutError:
        return []
    if isinstance(result, ApiError):
        raise result
    return result


async def set_my_commands(state: BotState, p: Params) -> bool:
    commands = p.array("commands")
    if commands is None:
        raise ApiError.bad_request('parameter "commands" is required')
    if len(commands) > 100:
        raise ApiError.bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND.match(str(command.get("command", ""))):
            raise ApiError.bad_request("BOT_COMMAND_INVALID")
        description = command.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise ApiError.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    key = commands_key(state, p)
    if commands:
        state.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
    else:  # an empty list is the same as deleteMyCommands
        state.commands.pop(key, None)
    state.changed.notify()
    return True


async def get_my_commands(state: BotState, p: Params) -> list[JsonDict]:
    """The list set for exactly this scope and language (no fallback), or []."""
    return list(state.commands.get(commands_key(state, p), []))


async def delete_my_commands(state: BotState, p: Params) -> bool:
    """Users then see the list of a broader scope, as Telegram falls back."""
    state.commands.pop(commands_key(state, p), None)
    state.changed.notify()
    return True


def _remove_webhook(state: BotState, p: Params) -> Described:
    if p.flag("drop_pending_updates"):
        state.drop_pending()
    if state.webhook is None:
        return Described(True, "Webhook is already deleted")
    state.webhook = None
    state.changed.notify()
    return Described(True, "Webhook was deleted")


async def set_webhook(state: BotState, p: Params) -> Described:
    """Any http(s) URL is accepted: the emulator delivers to local test servers."""
    url = p.text("url") or ""
    if not url:
        return _remove_webhook(state, p)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApiError.bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.text("secret_token")
    if secret is not None and not _SECRET_TOKEN.match(secret):
        raise ApiError.bad_request("secret token contains unallowed characters")
    max_connections = p.integer("max_connections", 40) or 40
    if not 1 <= max_connections <= 100:
        raise ApiError.bad_request("bad webhook: max_connections must be between 1 and 100")
    if p.flag("drop_pending_updates"):
        state.drop_pending()
    allowed = p.array("allowed_updates")
    if allowed is not None:
        state.allowed_updates = [str(kind) for kind in allowed]
    previous = state.webhook
    state.webhook = WebhookConfig(url=url, secret_token=secret, max_connections=max_connections)
    state.changed.notify()
    if previous is not None and previous.url == url:
        return Described(True, "Webhook is already set")
    return Described(True, "Webhook was set")


async def delete_webhook(state: BotState, p: Params) -> Described:
    return _remove_webhook(state, p)


async def get_webhook_info(state: BotState, p: Params) -> JsonDict:
    info: JsonDict = {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.pending),
    }
    webhook = state.webhook
    if webhook is None:
        return info
    info.update(url=webhook.url, max_connections=webhook.max_connections, ip_address="127.0.0.1")
    if state.allowed_updates:
        info["allowed_updates"] = list(state.allowed_updates)
    if webhook.last_error_date is not None:
        info["last_error_date"] = webhook.last_error_date
        info["last_error_message"] = webhook.last_error_message
    return info


METHODS = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}
