"""Every ORM model, imported in one place so Alembic and ``create_all`` see all tables."""

from threadline.auth.models import AuthThrottle, OtpCode
from threadline.customers.models import Customer
from threadline.db import Base
from threadline.sessions.models import ConversationSession, SessionToken

__all__ = [
    "AuthThrottle",
    "Base",
    "ConversationSession",
    "Customer",
    "OtpCode",
    "SessionToken",
]
