"""An in-process fake of the Bot API, plugged into PTB as its `BaseRequest`.

The real `Application` and `Bot` run unchanged; only the HTTP round trip is replaced, so
handler tests see exactly what the bot would have sent to Telegram.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_ID = 777000
BOT_USERNAME = "ktbot_test_bot"


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None


@dataclass
class FakeBotApi(BaseRequest):
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    delivered: list[tuple[str, int, int, str]] = field(default_factory=list)
    """(method, chat id, message id, text) of every message sent or copied successfully."""
    _next_message_id: int = 100

    # --- BaseRequest -------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        for key, value in params.items():
            if isinstance(value, str) and value[:1] in "{[":
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(value)
        self.calls.append(Call(api_method, params))
        queue = self.failures.get(api_method)
        if queue:
            failure = queue.pop(0)
            body: dict[str, Any] = {
                "ok": False,
                "error_code": failure.status,
                "description": failure.description,
            }
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(api_method, params)}).encode()

    # --- test helpers ------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        self.failures.setdefault(method, []).extend(
            Failure(status, description, retry_after) for _ in range(times)
        )

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    def last_text(self) -> str:
        texts = [
            c.params.get("text", "")
            for c in self.calls
            if c.method in ("sendMessage", "editMessageText")
        ]
        assert texts, "the bot sent no message"
        return str(texts[-1])

    def buttons(self, params: dict[str, Any] | None = None) -> list[tuple[str, str]]:
        """(text, callback_data) of the inline keyboard of a call (default: the last)."""
        if params is None:
            candidates = [
                c.params for c in self.calls if c.method in ("sendMessage", "editMessageText")
            ]
            params = candidates[-1]
        markup = params.get("reply_markup") or {}
        return [
            (b["text"], b.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    def reset(self) -> None:
        self.calls.clear()

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "KT bot",
                "username": BOT_USERNAME,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method in ("sendMessage", "editMessageText"):
            self._next_message_id += 1
            chat_id = int(params.get("chat_id", 0))
            if method == "sendMessage":
                self.delivered.append(
                    (method, chat_id, self._next_message_id, str(params.get("text", "")))
                )
            return {
                "message_id": int(params.get("message_id", self._next_message_id)),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "from": {
                    "id": BOT_ID,
                    "is_bot": True,
                    "first_name": "KT bot",
                    "username": BOT_USERNAME,
                },
                "text": params.get("text", ""),
            }
        if method == "copyMessage":
            self._next_message_id += 1
            self.delivered.append(
                (method, int(params.get("chat_id", 0)), self._next_message_id, "")
            )
            return {"message_id": self._next_message_id}
        if method == "getUpdates":
            return []
        return True
