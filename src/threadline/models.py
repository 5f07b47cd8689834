"""Every ORM model, imported in one place so Alembic and ``create_all`` see all tables."""

from threadline.activity.models import SessionActivity
from threadline.agent.models import ChatTurn
from threadline.auth.models import AuthThrottle, OtpCode
from threadline.catalog.models import CatalogState, Product, SearchMiss
from threadline.channels.models import ChannelLink, DeliveryStatus, InboxMessage, OutboxMessage
from threadline.customers.models import Customer
from threadline.db import Base
from threadline.inventory.models import StockLevel, Store
from threadline.loyalty.models import Coupon, CouponRedemption, LoyaltyEntry, LoyaltyTier, Offer
from threadline.orders.models import IdempotencyRecord, Order, OrderEvent, OrderLine, ReturnRequest
from threadline.payments.models import PaymentAttempt
from threadline.sessions.models import ConversationSession, HandoffToken, SessionToken
from threadline.staff.models import StaffSession, StaffUser

__all__ = [
    "AuthThrottle",
    "Base",
    "CatalogState",
    "ChannelLink",
    "ChatTurn",
    "ConversationSession",
    "Coupon",
    "CouponRedemption",
    "Customer",
    "DeliveryStatus",
    "HandoffToken",
    "IdempotencyRecord",
    "InboxMessage",
    "LoyaltyEntry",
    "LoyaltyTier",
    "Offer",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OutboxMessage",
    "OtpCode",
    "PaymentAttempt",
    "Product",
    "ReturnRequest",
    "SearchMiss",
    "SessionActivity",
    "SessionToken",
    "StaffSession",
    "StaffUser",
    "StockLevel",
    "Store",
]
