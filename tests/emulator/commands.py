"""Bot command scopes: validating a ``scope``, and which list a user sees in a chat.

The resolution order is the Bot API's "Determining list of commands": the first list that is
set wins, trying each scope with the user's language and then without one.
"""

from __future__ import annotations

import re

from .errors import ApiError
from .models import Chat, JsonDict
from .params import Params
from .state import BotState, CommandsKey, ScopeKey

DEFAULT_SCOPE: ScopeKey = ("default", None, None)
_WITHOUT_CHAT = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
)
_WITH_CHAT = frozenset({"chat", "chat_administrators", "chat_member"})
_LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")


def _scope_error(reason: str) -> ApiError:
    return ApiError.bad_request(f"can't parse BotCommandScope: {reason}")


def parse_scope(state: BotState, scope: JsonDict | None) -> ScopeKey:
    """The key of a BotCommandScope, with the 400s the Bot API gives for a bad one."""
    if scope is None:
        return DEFAULT_SCOPE
    kind = scope.get("type")
    if not isinstance(kind, str):
        raise _scope_error('Can\'t find field "type"')
    if kind in _WITHOUT_CHAT:
        return (kind, None, None)
    if kind not in _WITH_CHAT:
        raise _scope_error("Unsupported type specified")
    raw_chat = Params({"chat_id": scope.get("chat_id")}).values["chat_id"]
    if raw_chat is None or raw_chat == "":
        raise _scope_error("Empty chat_id specified")
    chat = state.resolve_chat(int(raw_chat) if re.match(r"^-?\d+$", str(raw_chat)) else raw_chat)
    if chat.is_private and kind != "chat":
        raise ApiError.bad_request("can't use specified scope in private chats")
    if chat.type == "channel":
        raise ApiError.bad_request("can't change commands in channel chats")
    if kind != "chat_member":
        return (kind, chat.id, None)
    user_id = scope.get("user_id")
    if isinstance(user_id, str) and user_id.isdigit():
        user_id = int(user_id)
    if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
        raise _scope_error("Invalid user_id specified")
    return (kind, chat.id, user_id)


def parse_language(language_code: str | None) -> str:
    """ "" for all languages, else a two-letter ISO 639-1 code."""
    if not language_code:
        return ""
    if not _LANGUAGE_CODE.match(language_code):
        raise ApiError.bad_request("invalid language code specified")
    return language_code


def commands_key(state: BotState, p: Params) -> CommandsKey:
    return parse_scope(state, p.obj("scope")), parse_language(p.text("language_code"))


def scope_chain(chat: Chat, user_id: int, is_admin: bool) -> list[ScopeKey]:
    """The scopes Telegram tries for a user viewing the menu in ``chat``, in order."""
    if chat.is_private:
        return [("chat", chat.id, None), ("all_private_chats", None, None), DEFAULT_SCOPE]
    chain: list[ScopeKey] = [("chat_member", chat.id, user_id)]
    if is_admin:
        chain.append(("chat_administrators", chat.id, None))
    chain.append(("chat", chat.id, None))
    if is_admin:
        chain.append(("all_chat_administrators", None, None))
    chain += [("all_group_chats", None, None), DEFAULT_SCOPE]
    return chain


def resolve(
    lists: dict[CommandsKey, list[JsonDict]], chain: list[ScopeKey], language_code: str | None
) -> tuple[CommandsKey, list[JsonDict]] | None:
    """The first list set along ``chain``, trying the language before no language."""
    languages = [language_code, ""] if language_code else [""]
    for scope in chain:
        for language in languages:
            found = lists.get((scope, language))
            if found is not None:
                return (scope, language), found
    return None
