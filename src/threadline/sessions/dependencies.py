"""``CurrentSession``: the session behind the caller's X-Session-Token, for every router."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from threadline.core.deps import SettingsDep
from threadline.db import DbSession
from threadline.sessions import service
from threadline.sessions.errors import SessionTokenRequired
from threadline.sessions.service import SessionContext


async def current_session(
    db: DbSession,
    settings: SettingsDep,
    x_session_token: Annotated[str | None, Header(max_length=512)] = None,
) -> SessionContext:
    if not x_session_token:
        raise SessionTokenRequired()
    return await service.authenticate(db, settings, x_session_token)


CurrentSession = Annotated[SessionContext, Depends(current_session)]
