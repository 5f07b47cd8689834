"""Every ORM model, imported in one place so Alembic and ``create_all`` see all tables."""

from threadline.agent.models import ChatTurn
from threadline.auth.models import AuthThrottle, OtpCode
from threadline.catalog.models import CatalogState, Product
from threadline.customers.models import Customer
from threadline.db import Base
from threadline.inventory.models import StockLevel, Store
from threadline.loyalty.models import Coupon, CouponRedemption, LoyaltyEntry, LoyaltyTier, Offer
from threadline.orders.models import IdempotencyRecord, Order, OrderEvent, OrderLine, ReturnRequest
from threadline.payments.models import PaymentAttempt
from threadline.sessions.models import ConversationSession, HandoffToken, SessionToken

__all__ = [
    "AuthThrottle",
    "Base",
    "CatalogState",
    "ChatTurn",
    "ConversationSession",
    "Coupon",
    "CouponRedemption",
    "Customer",
    "HandoffToken",
    "IdempotencyRecord",
    "LoyaltyEntry",
    "LoyaltyTier",
    "Offer",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OtpCode",
    "PaymentAttempt",
    "Product",
    "ReturnRequest",
    "SessionToken",
    "StockLevel",
    "Store",
]
