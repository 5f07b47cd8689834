"""Request and response bodies of the Auth part of the contract."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, EmailStr, Field

from threadline.core.types import ChannelField, PhoneField
from threadline.sessions.schemas import SessionRead

# No length limit here: the password rule (8 to 128 characters) answers weak_password, and the
# request body limit bounds what arrives.
Password = str


class SignupRequest(BaseModel):
    phone: PhoneField
    password: Password
    name: Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f]+$")]
    email: EmailStr | None = None
    channel: ChannelField | None = None


class LoginRequest(BaseModel):
    phone: PhoneField
    password: Password
    channel: ChannelField


class LogoutRequest(BaseModel):
    all_devices: bool = False


class PasswordChange(BaseModel):
    current_password: Password
    new_password: Password


class OtpRequest(BaseModel):
    phone: PhoneField
    channel: ChannelField


class OtpVerify(BaseModel):
    phone: PhoneField
    code: Annotated[str, Field(pattern=r"^[0-9]{6}$")]
    channel: ChannelField


class CustomerRead(BaseModel):
    customer_id: str
    phone: str | None
    name: str | None
    email: str | None
    loyalty_tier: str
    loyalty_points: int


class AuthEnvelope(BaseModel):
    session_token: str
    session: SessionRead
    customer: CustomerRead


class OtpSent(BaseModel):
    sent: bool
    expires_in_seconds: int


class Device(BaseModel):
    id: uuid.UUID
    channel: str
    user_agent: str | None
    created_at: datetime
    last_used_at: datetime
    current: bool


class DeviceList(BaseModel):
    devices: list[Device]
