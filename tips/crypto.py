"""The reporter's identity at rest: Fernet (AES-128-CBC + HMAC-SHA256, from the ``cryptography`` package).

Keys come from ``ANZHI_TIPS_KEYS`` (comma-separated Fernet keys, the first encrypts, all decrypt: rotation);
when it is unset a key is made once and kept in ``var/tips_key`` (owner-readable only), like ``SECRET_KEY``.
Keep that file (or the variable) with the backups: without it the identities cannot be read."""

from __future__ import annotations

import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _file_key() -> bytes:
    path = settings.VAR_DIR / "tips_key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it a moment ago
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(Fernet.generate_key())
    return path.read_bytes().strip()


@lru_cache(maxsize=1)
def box() -> MultiFernet:
    keys = [k.strip().encode() for k in settings.ANZHI_TIPS_KEYS if k.strip()] or [_file_key()]
    return MultiFernet([Fernet(k) for k in keys])


def seal(text: str) -> str:
    return box().encrypt(text.encode()).decode() if text else ""


def unseal(token: str) -> str:
    if not token:
        return ""
    try:
        return box().decrypt(token.encode()).decode()
    except InvalidToken:
        return "（无法解密：密钥不符）"
