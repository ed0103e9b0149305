"""Playing the users: each action stores the user's message and queues the update Telegram sends.

Every action returns the ``update_id``; ``message_for(update_id)`` gives the stored message and
``update(update_id)`` the update as the bot receives it.
"""

from __future__ import annotations

import itertools

from .formatting import detect_entities
from .models import CallbackQueryRecord, Chat, JsonDict, StoredMessage, User, now
from .state import BotState

# A 1x1 PNG, a minimal Ogg page header: enough for code that sniffs or forwards the bytes.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
TINY_OGG = b"OggS\x00\x02" + bytes(20)
ReplyTarget = StoredMessage | int | None


class UserActions:
    """Mixed into BotApiEmulator."""

    def __init__(self, state: BotState) -> None:
        self.state = state
        self._user_ids = itertools.count(100_000_001)
        self._group_ids = itertools.count(1)
        self._query_ids = itertools.count(1)

    # --- people and chats --------------------------------------------------------------------

    def new_user(
        self,
        first_name: str = "Alice",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> User:
        """A fresh user (unique id) whose private chat with the bot is known to the server."""
        user = User(
            id=next(self._user_ids),
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.state.add_chat(user.chat)
        return user

    def new_group(
        self, title: str = "Test group", *, supergroup: bool = True, username: str | None = None
    ) -> Chat:
        """A group the bot is a member of: supergroup ids look like -100…, basic groups -…."""
        number = next(self._group_ids)
        if supergroup:
            chat = Chat.supergroup(-1_001_000_000_000 - number, title, username)
        else:
            chat = Chat.group(-4_000_000_000 - number, title)
        return self.state.add_chat(chat)

    def add_chat(self, chat: Chat) -> Chat:
        """Make a chat known, e.g. a staff group id from the bot's configuration."""
        return self.state.add_chat(chat)

    # --- messages ----------------------------------------------------------------------------

    def _post(self, user: User, chat: Chat | None, reply_to: ReplyTarget, **fields: object) -> int:
        chat = chat or user.chat
        if isinstance(reply_to, int):
            target = self.state.find_message(chat.id, reply_to)
            if target is None:
                raise LookupError(f"no message {reply_to} in chat {chat.id} to reply to")
            reply_to = target
        message = self.state.store_message(chat, user, reply_to=reply_to, **fields)
        update_id = self.state.enqueue("message", message.to_api())
        self.state.update_messages[update_id] = message
        return update_id

    def user_sends_text(
        self,
        user: User,
        chat: Chat | None,
        text: str,
        entities: list[JsonDict] | None = None,
        *,
        reply_to: ReplyTarget = None,
    ) -> int:
        """A text message; ``chat`` None is the private chat. Without ``entities`` the ones
        Telegram detects are added (``/command``, ``@mention``, ``#hashtag``, URLs)."""
        found = detect_entities(text) if entities is None else entities
        return self._post(user, chat, reply_to, text=text, entities=found)

    def user_starts_bot(self, user: User, payload: str | None = None) -> int:
        """What a tap on "Start" or a deep link ``t.me/<bot>?start=<payload>`` sends."""
        text = "/start" if payload is None else f"/start {payload}"
        entity = {"type": "bot_command", "offset": 0, "length": 6}
        return self._post(user, None, None, text=text, entities=[entity])

    def user_sends_sticker(
        self,
        user: User,
        chat: Chat | None = None,
        *,
        emoji: str = "👍",
        reply_to: ReplyTarget = None,
    ) -> int:
        stored = self.state.store_file(b"RIFF-webp-sticker", "stickers", "webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.content),
        }
        return self._post(user, chat, reply_to, media={"sticker": sticker})

    def user_sends_photo(
        self,
        user: User,
        chat: Chat | None = None,
        *,
        caption: str | None = None,
        content: bytes = TINY_PNG,
        reply_to: ReplyTarget = None,
    ) -> int:
        stored = self.state.store_file(content, "photos", "jpg")
        sizes = [
            {
                "file_id": f"{stored.file_id}-{side}",
                "file_unique_id": f"{stored.file_unique_id}{side}",
                "width": side,
                "height": side,
                "file_size": len(content),
            }
            for side in (90, 320)
        ]
        sizes[-1]["file_id"] = stored.file_id
        return self._post(user, chat, reply_to, media={"photo": sizes, **_caption(caption)})

    def user_sends_voice(
        self,
        user: User,
        chat: Chat | None = None,
        *,
        duration: int = 3,
        content: bytes = TINY_OGG,
        reply_to: ReplyTarget = None,
    ) -> int:
        stored = self.state.store_file(content, "voice", "oga")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(content),
        }
        return self._post(user, chat, reply_to, media={"voice": voice})

    def user_sends_document(
        self,
        user: User,
        chat: Chat | None = None,
        *,
        file_name: str = "notes.txt",
        mime_type: str = "text/plain",
        content: bytes = b"hello\n",
        caption: str | None = None,
        reply_to: ReplyTarget = None,
    ) -> int:
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = self.state.store_file(content, "documents", extension)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        return self._post(user, chat, reply_to, media={"document": document, **_caption(caption)})

    def user_sends_location(
        self,
        user: User,
        chat: Chat | None = None,
        *,
        latitude: float = 46.2338,
        longitude: float = 6.0470,
        reply_to: ReplyTarget = None,
    ) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        return self._post(user, chat, reply_to, media={"location": location})

    # --- edits and buttons -------------------------------------------------------------------

    def user_edits_message(
        self, user: User, message: StoredMessage, text: str, entities: list[JsonDict] | None = None
    ) -> int:
        """The user edits one of their text messages: an ``edited_message`` update."""
        if message.sender.id != user.id or message.text is None:
            raise ValueError(f"{user.first_name} can only edit their own text messages")
        message.text = text
        message.entities = detect_entities(text) if entities is None else entities
        message.edit_date = now()
        self.state.message_changed("edited", message)
        update_id = self.state.enqueue("edited_message", message.to_api())
        self.state.update_messages[update_id] = message
        return update_id

    def user_presses_button(
        self,
        user: User,
        message: StoredMessage,
        callback_data: str | None = None,
        *,
        text: str | None = None,
    ) -> int:
        """A tap on an inline button of a bot message, found by callback data or label.

        LookupError if the message has no such button: users can only press what they see.
        """
        if callback_data is None and text is None:
            raise ValueError("name the button by callback_data or text")
        button = message.button(text=text, callback_data=callback_data)
        if "callback_data" not in button:
            raise ValueError(f"button {button.get('text')!r} is not a callback button: {button}")
        query_id = str(4_000_000_000_000_000 + next(self._query_ids))
        payload = {
            "id": query_id,
            "from": user.to_api(),
            "message": message.to_api(),
            "chat_instance": str(abs(message.chat.id) * 1_000_003 % 10**19),
            "data": button["callback_data"],
        }
        update_id = self.state.enqueue("callback_query", payload)
        self.state.callback_queries[query_id] = CallbackQueryRecord(
            id=query_id,
            update_id=update_id,
            user=user,
            message=message,
            data=button["callback_data"],
        )
        self.state.update_messages[update_id] = message
        return update_id


def _caption(caption: str | None) -> JsonDict:
    if caption is None:
        return {}
    found = detect_entities(caption)
    fields: JsonDict = {"caption": caption}
    if found:
        fields["caption_entities"] = found
    return fields
