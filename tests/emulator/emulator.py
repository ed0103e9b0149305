"""BotApiEmulator: a local Telegram Bot API server with a test-side control API."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from aiohttp import web

from .actions import UserActions
from .errors import ApiError
from .faults import Fault, FaultPlan
from .inspection import ChatRef, Inspection, chat_id_of
from .models import User
from .server import ApiServer
from .state import BotState, MessageListener
from .webhook import WebhookDelivery

DEFAULT_TOKEN = "123456789:EMULATOR-test-token_0123456789"


class BotApiEmulator(UserActions, Inspection):
    """Serves ``POST {api_url}<token>/<method>`` on 127.0.0.1 and plays the users::

    async with BotApiEmulator() as emulator:  # or the ``bot_api`` fixture
        ...  # start the bot with base_url=emulator.api_url, base_file_url=emulator.file_url
        alice = emulator.new_user("Alice")
        emulator.user_sends_text(alice, None, "hello")
        reply = await emulator.wait_for_message(alice)
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "ktbot_test_bot",
        bot_name: str = "KT Bot",
        host: str = "127.0.0.1",
        port: int = 0,
        webhook_retry_delay: float = 0.05,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.bot_user = User(
            id=int(token.split(":", 1)[0]), first_name=bot_name, username=bot_username, is_bot=True
        )
        state = BotState(self.bot_user)
        UserActions.__init__(self, state)
        Inspection.__init__(self, state)
        self.faults = FaultPlan()
        self._server = ApiServer(state, token, self.faults)
        self._delivery = WebhookDelivery(state, retry_delay=webhook_retry_delay)
        self._runner: web.AppRunner | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> BotApiEmulator:
        runner = web.AppRunner(
            self._server.application(),
            handler_cancellation=True,  # a client that hangs up stops its long poll
            access_log=None,
            shutdown_timeout=1.0,
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self.port = runner.addresses[0][1]
        self._runner = runner
        self._delivery.start()
        return self

    async def stop(self) -> None:
        self.state.closing = True
        self.state.changed.notify()
        await self._delivery.stop()
        await self._server.cancel_background()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        """The ``base_url`` for python-telegram-bot: the token and method are appended."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def file_url(self) -> str:
        """The ``base_file_url`` for python-telegram-bot."""
        return f"http://{self.host}:{self.port}/file/bot"

    def on_message(self, listener: MessageListener) -> Callable[[], None]:
        """Call ``listener(event, message)`` when a message is sent, edited or deleted.

        Returns a function that removes the listener.
        """
        self.state.listeners.append(listener)
        return lambda: self.state.listeners.remove(listener)

    # --- fault injection ---------------------------------------------------------------------

    def inject(self, fault: Fault) -> Fault:
        """Add any Fault; keep the returned object to ``remove_fault`` it."""
        return self.faults.add(fault)

    def remove_fault(self, fault: Fault) -> None:
        self.faults.remove(fault)

    def clear_faults(self) -> None:
        self.faults.clear()

    def fail_next(
        self,
        method: str | None,
        error: ApiError,
        *,
        times: int | None = 1,
        chat: ChatRef | None = None,
    ) -> Fault:
        """The next ``times`` calls of ``method`` (None: any) answer ``error``."""
        chat_id = None if chat is None else chat_id_of(chat)
        return self.inject(Fault(method, error, times=times, chat_id=chat_id))

    def flood_next(
        self,
        method: str | None,
        retry_after: int = 1,
        *,
        times: int = 1,
        chat: ChatRef | None = None,
    ) -> Fault:
        """429 "Too Many Requests: retry after N" with ``parameters.retry_after``."""
        return self.fail_next(
            method, ApiError.too_many_requests(retry_after), times=times, chat=chat
        )

    def bad_gateway_next(self, method: str | None, *, times: int = 1) -> Fault:
        """502 Bad Gateway with the HTML body Telegram's proxy sends."""
        return self.fail_next(method, ApiError.bad_gateway(), times=times)

    def delay_next(
        self,
        method: str | None,
        seconds: float,
        *,
        times: int = 1,
        error: ApiError | None = None,
    ) -> Fault:
        """Answer late; without ``error`` the call still takes effect after the delay, even if
        the client timed out meanwhile (so a retry may send a message twice)."""
        return self.inject(Fault(method, error, delay=seconds, times=times))

    def block(self, user: ChatRef) -> Fault:
        """The user blocked the bot: every call about their chat gets 403 until ``unblock``."""
        return self.fail_next(None, ApiError.blocked(), times=None, chat=user)

    def unblock(self, user: ChatRef) -> None:
        chat_id = chat_id_of(user)
        for fault in self.faults.active():
            if fault.chat_id == chat_id and fault.error and fault.error.error_code == 403:
                self.faults.remove(fault)
