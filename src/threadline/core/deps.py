"""Dependencies shared by every router: settings and the trusted-caller check.

They are ``async def`` although they do not await: FastAPI runs a plain ``def`` dependency in
a worker thread, a hand-off that would cost more than the dependency itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from threadline.config import Settings
from threadline.core.security import service_key_matches


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


async def is_trusted_caller(
    settings: SettingsDep,
    x_service_key: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> bool:
    """True when X-Service-Key matches SERVICE_API_KEY (constant-time; empty key → never)."""
    return service_key_matches(x_service_key, settings.service_api_key.get_secret_value())


TrustedCaller = Annotated[bool, Depends(is_trusted_caller)]
