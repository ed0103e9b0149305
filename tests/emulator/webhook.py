"""Webhook delivery: POST each pending update to the webhook URL, retrying until it is accepted."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp

from .models import JsonDict, WebhookConfig, now
from .state import BotState

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookDelivery:
    """Delivers updates one at a time, oldest first, while a webhook is set.

    A 2xx answer confirms the update; anything else is recorded as ``last_error_message`` and
    retried after a delay that doubles from ``retry_delay`` up to ``max_retry_delay``.
    """

    def __init__(
        self,
        state: BotState,
        *,
        retry_delay: float = 0.05,
        max_retry_delay: float = 1.0,
        request_timeout: float = 10.0,
    ) -> None:
        self.state = state
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.request_timeout = request_timeout
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.request_timeout)
        )
        self._task = asyncio.create_task(self._run(), name="emulator-webhook-delivery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _next(self) -> tuple[WebhookConfig, JsonDict] | None:
        webhook = self.state.webhook
        if webhook is None or not self.state.pending or self.state.closing:
            return None
        return webhook, self.state.pending[0]

    async def _run(self) -> None:
        delay = self.retry_delay
        while True:
            webhook, update = await self.state.changed.until(self._next, None)
            error = await self._post(webhook, update)
            if error is None:
                webhook.delivered += 1
                self.state.confirm(update["update_id"] + 1)
                delay = self.retry_delay
                continue
            webhook.last_error_date = now()
            webhook.last_error_message = error
            self.state.changed.notify()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_retry_delay)

    async def _post(self, webhook: WebhookConfig, update: JsonDict) -> str | None:
        """None when the webhook accepted the update, else Telegram's error message."""
        assert self._session is not None
        headers = {SECRET_HEADER: webhook.secret_token} if webhook.secret_token else {}
        try:
            async with self._session.post(webhook.url, json=update, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientConnectorError:
            return "Connection refused"
        except aiohttp.ClientError as error:
            return f"Connection error: {error.__class__.__name__}"
