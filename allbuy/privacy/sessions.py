"""Database sessions whose content is encrypted (AES-256-GCM under a system data key), not only signed."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from allbuy.privacy.crypto import DecryptionError, decrypt_value, encrypt_value

SESSION_FIELD = "sessions.Session.session_data"
SESSION_SCOPE = "system.sessions"


class SessionStore(DatabaseSessionStore):
    def encode(self, session_dict: dict[str, Any]) -> str:
        signed = super().encode(session_dict)
        return encrypt_value(signed, subject_id=None, scope=SESSION_SCOPE, field=SESSION_FIELD)

    def decode(self, session_data: bytes | str) -> dict[str, Any]:
        text = session_data.decode() if isinstance(session_data, bytes) else session_data
        try:
            signed = decrypt_value(text, field=SESSION_FIELD)
        except DecryptionError:
            # An unreadable session (rotated away, tampered) is an expired session: start a new one.
            return {}
        return super().decode(signed)
