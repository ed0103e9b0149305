"""The HTTP side: ``/bot<token>/<method>`` and ``/file/bot<token>/<path>`` on aiohttp."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from . import api_bot, api_chats, api_copy, api_forum, api_messages
from .errors import ApiError
from .faults import Fault, FaultPlan
from .models import ApiCall, Described, JsonDict
from .params import Params, normalize
from .state import BotState

Handler = Callable[[BotState, Params], Awaitable[Any]]
METHODS: dict[str, Handler] = {
    **api_bot.METHODS,
    **api_messages.METHODS,
    **api_copy.METHODS,
    **api_forum.METHODS,
    **api_chats.METHODS,
}
# Method names are case-insensitive in the Bot API.
_BY_LOWER_NAME = {name.lower(): name for name in METHODS}
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # the Bot API limit for uploads
_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
log = logging.getLogger(__name__)


def _json_response(status: int, body: JsonDict) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _error_response(error: ApiError) -> web.Response:
    if error.html_body is not None:
        return web.Response(status=error.error_code, text=error.html_body, content_type="text/html")
    return _json_response(error.error_code, error.to_api())


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, bytes] = {}
    if request.content_type == "application/json":
        try:
            body = await request.json() if request.can_read_body else {}
        except ValueError:
            raise ApiError.bad_request("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise ApiError.bad_request("can't parse JSON object")
        raw.update(body)
    elif request.can_read_body:
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = value.file.read()
                raw[name] = f"attach://{name}"
            else:
                raw[name] = value
    return raw, files


class ApiServer:
    """Answers Bot API calls for one token, recording each call and applying faults."""

    def __init__(self, state: BotState, token: str, faults: FaultPlan) -> None:
        self.state = state
        self.token = token
        self.faults = faults
        self._background: set[asyncio.Task[web.Response]] = set()

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self.handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self.handle_file)
        return app

    async def cancel_background(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)

    def _check_token(self, token: str) -> None:
        if not _TOKEN_SHAPE.match(token):
            raise ApiError.not_found()  # Telegram's answer to a malformed token
        if token != self.token:
            raise ApiError.unauthorized()

    async def handle_method(self, request: web.Request) -> web.Response:
        method = _BY_LOWER_NAME.get(request.match_info["method"].lower())
        call = ApiCall(method=method or request.match_info["method"], params={}, at=time.time())
        try:
            self._check_token(request.match_info["token"])
            raw, call.files = await _read_params(request)
            call.params = normalize(raw)
        except ApiError as error:
            self.state.record_call(call)
            return self._finish(call, error)
        self.state.record_call(call)
        if method is None:
            return self._finish(call, ApiError.not_found())
        fault = self.faults.take(method, call.params)
        if fault is None:
            return await self._execute(call, METHODS[method])
        if fault.delay > 0 and fault.error is None:
            # Shielded: the call takes effect even if the client stops waiting.
            task = asyncio.create_task(self._late(call, METHODS[method], fault))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return await asyncio.shield(task)
        await asyncio.sleep(fault.delay)
        assert fault.error is not None
        return self._finish(call, fault.error)

    async def _late(self, call: ApiCall, handler: Handler, fault: Fault) -> web.Response:
        await asyncio.sleep(fault.delay)
        return await self._execute(call, handler)

    async def _execute(self, call: ApiCall, handler: Handler) -> web.Response:
        try:
            result = await handler(self.state, Params(call.params))
        except ApiError as error:
            return self._finish(call, error)
        except Exception:
            log.exception("emulator failed on %s %s", call.method, call.params)
            return self._finish(call, ApiError.internal_server_error())
        body: JsonDict = {"ok": True}
        if isinstance(result, Described):
            body.update(result=result.result, description=result.description)
        else:
            body["result"] = result
        self.state.answer_call(call, 200, body)
        return _json_response(200, body)

    def _finish(self, call: ApiCall, error: ApiError) -> web.Response:
        self.state.answer_call(call, error.error_code, error.to_api())
        return _error_response(error)

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        try:
            self._check_token(request.match_info["token"])
        except ApiError as error:
            return _error_response(error)
        path = request.match_info["path"]
        stored = next((f for f in self.state.files.values() if f.file_path == path), None)
        if stored is None:
            return _error_response(ApiError.not_found())
        return web.Response(body=stored.content, content_type="application/octet-stream")
