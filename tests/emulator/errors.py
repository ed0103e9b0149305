"""Bot API error responses, with the descriptions Telegram uses."""

from __future__ import annotations

from dataclasses import dataclass

from .models import JsonDict

_NGINX_BAD_GATEWAY = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@dataclass(eq=False)
class ApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": ..., "description": ...}``.

    ``html_body`` replaces the JSON body, as Telegram's front-end proxy does for a 502.
    """

    error_code: int
    description: str
    retry_after: int | None = None
    migrate_to_chat_id: int | None = None
    html_body: str | None = None

    def __str__(self) -> str:
        return f"{self.error_code} {self.description}"

    def to_api(self) -> JsonDict:
        body: JsonDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        parameters: JsonDict = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body

    @classmethod
    def bad_request(cls, reason: str) -> ApiError:
        return cls(400, f"Bad Request: {reason}")

    @classmethod
    def unauthorized(cls) -> ApiError:
        return cls(401, "Unauthorized")

    @classmethod
    def forbidden(cls, reason: str) -> ApiError:
        return cls(403, f"Forbidden: {reason}")

    @classmethod
    def blocked(cls) -> ApiError:
        return cls.forbidden("bot was blocked by the user")

    @classmethod
    def not_found(cls) -> ApiError:
        return cls(404, "Not Found")

    @classmethod
    def conflict(cls, reason: str) -> ApiError:
        return cls(409, f"Conflict: {reason}")

    @classmethod
    def too_many_requests(cls, retry_after: int) -> ApiError:
        return cls(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)

    @classmethod
    def internal_server_error(cls) -> ApiError:
        return cls(500, "Internal Server Error")

    @classmethod
    def bad_gateway(cls) -> ApiError:
        return cls(502, "Bad Gateway", html_body=_NGINX_BAD_GATEWAY)


CHAT_NOT_FOUND = "chat not found"
MESSAGE_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
GET_UPDATES_WITH_WEBHOOK = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
TERMINATED_BY_OTHER_GET_UPDATES = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)
# Forum topics: TDLib's texts as the Bot API server words them (first letter lowered).
NOT_A_FORUM = "the chat is not a forum"
THREAD_NOT_FOUND = "message thread not found"
TOPIC_CLOSED = "TOPIC_CLOSED"
TOPIC_NOT_MODIFIED = "TOPIC_NOT_MODIFIED"
TOPIC_ID_INVALID = "TOPIC_ID_INVALID"
TOPIC_TITLE_EMPTY = "title must be non-empty"
MESSAGE_CANT_BE_DELETED = "message can't be deleted"
MESSAGE_CANT_BE_COPIED = "message can't be copied"
