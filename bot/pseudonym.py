"""Pseudonymous user keys: who asked what can be grouped without storing who they are.

The key is an HMAC-SHA256 of the channel and the user id under `KTBOT_SECRET`. Without the
secret, a key cannot be linked back to a Telegram id, even by trying every id (ids are
small integers, so a plain unkeyed hash could be reversed in minutes).
"""

from __future__ import annotations

import hashlib
import hmac

KEY_HEX_CHARS = 32
"""128 bits: collisions between users stay negligible, and the column stays short."""


def user_key(secret: str, channel: str, user_id: int | str) -> str:
    """The stable pseudonym of `user_id` on `channel` ("telegram", "cli")."""
    if not secret:
        raise ValueError("a pseudonym secret is required (set KTBOT_SECRET)")
    # The channel is part of the message so Telegram id 42 and terminal user "42" differ.
    message = f"{channel}:{user_id}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return digest[:KEY_HEX_CHARS]
