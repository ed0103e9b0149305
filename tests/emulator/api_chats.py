"""Bot API methods about chats: getChat, getChatMember, getChatAdministrators.

Enough for a bot to learn whether a chat is a forum and what rights it (or a user) has there;
administrators are whoever ``make_admin`` / ``new_forum`` made so, everyone else is a member.
"""

from __future__ import annotations

from .errors import ApiError
from .models import Chat, JsonDict, User
from .params import Params
from .state import BotState

_NO_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


async def get_chat(state: BotState, p: Params) -> JsonDict:
    """ChatFullInfo: the Chat fields (``is_forum`` included) and the required extras."""
    chat = state.resolve_chat(p.chat_id())
    return {
        **chat.to_api(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": dict(_NO_GIFTS),
    }


def _user(state: BotState, user_id: int) -> User:
    if user_id == state.bot.id:
        return state.bot
    chat = state.chats.get(user_id)
    if chat is None or not chat.is_private:
        raise ApiError.bad_request("user not found")
    return User(
        id=user_id,
        first_name=chat.first_name or "",
        last_name=chat.last_name,
        username=chat.username,
    )


def _member(state: BotState, chat: Chat, user: User) -> JsonDict:
    rights = state.rights(chat.id, user.id)
    if rights is None:
        return {"status": "member", "user": user.to_api()}
    return {"status": "administrator", "user": user.to_api(), "can_be_edited": False, **rights}


async def get_chat_member(state: BotState, p: Params) -> JsonDict:
    chat = state.resolve_chat(p.chat_id())
    user_id = p.integer("user_id")
    if user_id is None:
        raise ApiError.bad_request("user not found")
    return _member(state, chat, _user(state, user_id))


async def get_chat_administrators(state: BotState, p: Params) -> list[JsonDict]:
    chat = state.resolve_chat(p.chat_id())
    if chat.is_private:
        raise ApiError.bad_request("there are no administrators in the private chat")
    return [
        _member(state, chat, _user(state, user_id)) for user_id in state.admins.get(chat.id, {})
    ]


METHODS = {
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
}
