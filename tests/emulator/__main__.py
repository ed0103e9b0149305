"""``python -m tests.emulator``: chat with the bot from a terminal, no Telegram account needed."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from .emulator import BotApiEmulator
from .models import JsonDict, StoredMessage, User
from .state import MessageEvent

USAGE = """\
Telegram Bot API emulator on {api_url} (token {token}).
Start the bot in another terminal:

    KTBOT_TELEGRAM_API_URL={api_url} TELEGRAM_BOT_TOKEN={token} ktbot run

Then type here as the user "{user}": each line is a private message to the bot.
    /press N   press button [N] of the latest inline keyboard
    /quit      stop (Ctrl-D too)
"""


class TerminalChat:
    """Prints what the bot sends; turns typed lines into user messages and button presses."""

    def __init__(self, emulator: BotApiEmulator, user: User) -> None:
        self.emulator = emulator
        self.user = user
        self.buttons: list[tuple[StoredMessage, JsonDict]] = []

    def show(self, event: MessageEvent, message: StoredMessage) -> None:
        if not message.from_bot:
            return
        where = "" if message.chat.id == self.user.id else f" → chat {message.chat.id}"
        label = {"sent": "bot", "edited": "bot (edited)", "deleted": "bot (deleted)"}[event]
        print(f"\n{label}{where} #{message.message_id}:")
        if event != "deleted":
            for line in (message.text or f"<{', '.join(message.media)}>").splitlines():
                print(f"  {line}")
            self.show_keyboard(message)
        print("> ", end="", flush=True)

    def show_keyboard(self, message: StoredMessage) -> None:
        if message.buttons:
            self.buttons = [(message, button) for button in message.buttons]
            number = 0
            for row in message.inline_keyboard:
                cells = [f"[{number + i}] {b.get('text')}" for i, b in enumerate(row, start=1)]
                number += len(row)
                print("  " + "   ".join(cells))
        elif message.reply_markup and "keyboard" in message.reply_markup:
            rows = message.reply_markup["keyboard"]
            labels = [b.get("text") if isinstance(b, dict) else b for row in rows for b in row]
            print("  keyboard: " + " | ".join(str(label) for label in labels))

    async def press(self, argument: str) -> None:
        if not argument.isdigit() or not 1 <= int(argument) <= len(self.buttons):
            print(f"  (no button {argument!r}; there are {len(self.buttons)})")
            return
        message, button = self.buttons[int(argument) - 1]
        if "callback_data" not in button:
            print(f"  (button {button.get('text')!r} opens {button.get('url', 'something else')})")
            return
        update_id = self.emulator.user_presses_button(self.user, message, button["callback_data"])
        try:
            answer = await self.emulator.wait_for_callback_answer(update_id, timeout=10)
        except TimeoutError:
            print("  (the bot did not answer the button press within 10 s)")
            return
        if answer.get("text"):
            print(f"  ({'alert' if answer['show_alert'] else 'notice'}: {answer['text']})")

    async def run(self) -> None:
        reader = asyncio.StreamReader()
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        print("> ", end="", flush=True)
        while line := (await reader.readline()).decode():
            text = line.strip()
            if text == "/quit":
                return
            if text.startswith("/press"):
                await self.press(text.removeprefix("/press").strip())
            elif text:
                self.emulator.user_sends_text(self.user, None, text)
            print("> ", end="", flush=True)


async def announce_bot(emulator: BotApiEmulator) -> None:
    await emulator.wait_for_call("getMe", timeout=None)
    print(f"\n(bot connected as @{emulator.bot_user.username})\n> ", end="", flush=True)


async def main(port: int, token: str) -> None:
    async with BotApiEmulator(token, port=port) as emulator:
        user = emulator.new_user("Demo", username="demo_user")
        print(USAGE.format(api_url=emulator.api_url, token=token, user=user.first_name))
        chat = TerminalChat(emulator, user)
        emulator.on_message(chat.show)
        watcher = asyncio.create_task(announce_bot(emulator))
        try:
            await chat.run()
        finally:
            watcher.cancel()


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123:demo", help="token the bot must use")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(args.port, args.token))


if __name__ == "__main__":
    cli()
