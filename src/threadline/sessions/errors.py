"""Session errors (see ``threadline.core.errors`` for the hierarchy)."""

from threadline.core.errors import BadRequest, NotFound, Unauthorized


class IdentityRequired(BadRequest):
    code = "identity_required"
    message = "Give a phone number or a telegram_chat_id to start a session."


class SessionNotFound(NotFound):
    code = "session_not_found"
    message = "No active session matches; it may have expired or been logged out. Start a new one."


class SessionTokenRequired(Unauthorized):
    code = "session_token_required"
    message = "This call needs the X-Session-Token header."


class HandoffNotFound(NotFound):
    code = "handoff_not_found"
    message = "This QR code was already used or has expired; ask the kiosk for a new one."
