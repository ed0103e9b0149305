"""Playing the users: each action stores the user's message and queues the update Telegram sends.

Every action returns the ``update_id``; ``message_for(update_id)`` gives the stored message and
``update(update_id)`` the update as the bot receives it.
"""

from __future__ import annotations

import itertools
from typing import Any

from .errors import ApiError
from .formatting import detect_entities
from .models import (
    CallbackQueryRecord,
    Chat,
    ForumTopic,
    HasThreadId,
    JsonDict,
    StoredMessage,
    User,
    now,
)
from .state import BotState
from .topics import (
    ICON_COLORS,
    clean_topic_name,
    delete_topic,
    open_topic,
    place_message,
    topic_service_message,
)

# A 1x1 PNG, a minimal Ogg page header: enough for code that sniffs or forwards the bytes.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
TINY_OGG = b"OggS\x00\x02" + bytes(20)
ReplyTarget = StoredMessage | int | None
TopicTarget = HasThreadId | int | None
# ChatAdministratorRights; make_admin and new_forum start from all of them granted.
ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)


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

    def new_forum(
        self,
        title: str = "KT staff",
        *,
        chat_id: int | None = None,
        username: str | None = None,
        bot_is_admin: bool = True,
        bot_can_manage_topics: bool = True,
        bot_can_delete_messages: bool = True,
        admins: tuple[User, ...] = (),
    ) -> Chat:
        """A supergroup with topics enabled (``is_forum``). The bot is an administrator with
        every right, less those switched off, or a plain member; ``admins`` are made
        administrators with every right. ``chat_id`` fixes the id (e.g. the configured staff
        chat); otherwise it is a fresh -100… id."""
        if chat_id is None:
            chat_id = -1_001_000_000_000 - next(self._group_ids)
        chat = self.state.add_chat(Chat.supergroup(chat_id, title, username, is_forum=True))
        if bot_is_admin:
            self.make_admin(
                chat,
                self.state.bot,
                can_manage_topics=bot_can_manage_topics,
                can_delete_messages=bot_can_delete_messages,
            )
        for user in admins:
            self.make_admin(chat, user)
        return chat

    def make_admin(self, chat: Chat, user: User, **rights: bool) -> JsonDict:
        """Make ``user`` (or the bot, ``emulator.bot_user``) an administrator of ``chat`` with
        every right except those given as False, e.g. ``can_manage_topics=False``."""
        unknown = set(rights) - set(ADMIN_RIGHTS)
        if unknown:
            raise ValueError(
                f"unknown administrator rights {sorted(unknown)}; known: {ADMIN_RIGHTS}"
            )
        granted: JsonDict = {"is_anonymous": False, **dict.fromkeys(ADMIN_RIGHTS, True), **rights}
        self.state.admins[chat.id][user.id] = granted
        self.state.changed.notify()
        return granted

    def remove_admin(self, chat: Chat, user: User) -> None:
        """``user`` (or the bot) is a plain member of ``chat`` again."""
        self.state.admins[chat.id].pop(user.id, None)
        self.state.changed.notify()

    # --- messages ----------------------------------------------------------------------------

    def _post(
        self,
        user: User,
        chat: Chat | None,
        reply_to: ReplyTarget,
        topic: TopicTarget = None,
        **fields: Any,
    ) -> int:
        """Store the message and queue its update. In a forum, ``topic`` (or the topic of the
        message replied to) is where it lands; ApiError as Telegram would refuse it (a closed
        topic, for someone who may not manage topics; a deleted topic)."""
        chat = chat or user.chat
        if isinstance(reply_to, int):
            target = self.state.find_message(chat.id, reply_to)
            if target is None:
                raise LookupError(f"no message {reply_to} in chat {chat.id} to reply to")
            reply_to = target
        thread_id = topic if topic is None or isinstance(topic, int) else topic.message_thread_id
        thread_id, reply_to = place_message(self.state, chat, user, thread_id, reply_to)
        message = self.state.store_message(
            chat, user, reply_to=reply_to, thread_id=thread_id, **fields
        )
        return self._deliver(message)

    def _deliver(self, message: StoredMessage) -> int:
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
        topic: TopicTarget = None,
    ) -> int:
        """A text message; ``chat`` None is the private chat. Without ``entities`` the ones
        Telegram detects are added (``/command``, ``@mention``, ``#hashtag``, URLs). In a
        forum, ``topic`` (a ForumTopic or its id) is the topic it is posted in; a reply goes to
        the topic of the message it answers."""
        found = detect_entities(text) if entities is None else entities
        return self._post(user, chat, reply_to, topic, text=text, entities=found)

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
        topic: TopicTarget = None,
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
        return self._post(user, chat, reply_to, topic, media={"sticker": sticker})

    def user_sends_photo(
        self,
        user: User,
        chat: Chat | None = None,
        *,
        caption: str | None = None,
        content: bytes = TINY_PNG,
        reply_to: ReplyTarget = None,
        topic: TopicTarget = None,
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
        media = {"photo": sizes, **_caption(caption)}
        return self._post(user, chat, reply_to, topic, media=media)

    def user_sends_voice(
        self,
        user: User,
        chat: Chat | None = None,
        *,
        duration: int = 3,
        content: bytes = TINY_OGG,
        reply_to: ReplyTarget = None,
        topic: TopicTarget = None,
    ) -> int:
        stored = self.state.store_file(content, "voice", "oga")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(content),
        }
        return self._post(user, chat, reply_to, topic, media={"voice": voice})

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
        topic: TopicTarget = None,
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
        media = {"document": document, **_caption(caption)}
        return self._post(user, chat, reply_to, topic, media=media)

    def user_sends_location(
        self,
        user: User,
        chat: Chat | None = None,
        *,
        latitude: float = 46.2338,
        longitude: float = 6.0470,
        reply_to: ReplyTarget = None,
        topic: TopicTarget = None,
    ) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        return self._post(user, chat, reply_to, topic, media={"location": location})

    # --- forum topics ------------------------------------------------------------------------

    def user_creates_topic(
        self, user: User, chat: Chat, name: str, *, icon_color: int = ICON_COLORS[0]
    ) -> int:
        """A topic made in the app: the bot gets the ``forum_topic_created`` message; the
        topic is ``emulator.topic_named(chat, name)``."""
        _, message = open_topic(self.state, chat, user, clean_topic_name(name), icon_color)
        return self._deliver(message)

    def user_closes_topic(self, user: User, chat: Chat, topic: HasThreadId | int) -> int:
        """An administrator (or the topic's creator) closes it: a ``forum_topic_closed``
        message in the topic."""
        return self._toggle_topic(user, chat, topic, closed=True)

    def user_reopens_topic(self, user: User, chat: Chat, topic: HasThreadId | int) -> int:
        return self._toggle_topic(user, chat, topic, closed=False)

    def user_renames_topic(
        self, user: User, chat: Chat, topic: HasThreadId | int, name: str
    ) -> int:
        found = self._managed_topic(user, chat, topic, "edit the topic")
        found.name = clean_topic_name(name)
        service = {"forum_topic_edited": {"name": found.name}}
        return self._deliver(topic_service_message(self.state, chat, user, found, service))

    def user_deletes_topic(self, user: User, chat: Chat, topic: HasThreadId | int) -> None:
        """The topic and its messages disappear; Telegram sends the bot no update about it."""
        delete_topic(self.state, self._managed_topic(user, chat, topic, "delete the topic"))

    def _toggle_topic(self, user: User, chat: Chat, topic: HasThreadId | int, closed: bool) -> int:
        found = self._managed_topic(user, chat, topic, "close or open the topic")
        if found.closed == closed:
            raise ApiError.bad_request("TOPIC_NOT_MODIFIED")
        found.closed = closed
        service: JsonDict = {"forum_topic_closed" if closed else "forum_topic_reopened": {}}
        return self._deliver(topic_service_message(self.state, chat, user, found, service))

    def _managed_topic(
        self, user: User, chat: Chat, topic: HasThreadId | int, action: str
    ) -> ForumTopic:
        thread_id = topic if isinstance(topic, int) else topic.message_thread_id
        found = self.state.find_topic(chat.id, thread_id)
        if found is None:
            raise LookupError(f"no live topic {thread_id} in chat {chat.id}")
        if found.creator_id != user.id and not self.state.has_right(
            chat.id, user.id, "can_manage_topics"
        ):
            raise ApiError.bad_request(f"not enough rights to {action}")
        return found

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
