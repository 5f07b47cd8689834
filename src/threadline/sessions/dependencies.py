"""Dependencies of the session routes and of every router that needs the caller's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from threadline.core.deps import SettingsDep
from threadline.db import DbSession
from threadline.sessions import access
from threadline.sessions.cache import SessionCache
from threadline.sessions.errors import SessionTokenRequired
from threadline.sessions.state import SessionContext


async def get_session_cache(request: Request) -> SessionCache:
    cache: SessionCache = request.app.state.session_cache
    return cache


SessionCacheDep = Annotated[SessionCache, Depends(get_session_cache)]


async def current_session(
    db: DbSession,
    settings: SettingsDep,
    cache: SessionCacheDep,
    x_session_token: Annotated[str | None, Header()] = None,
) -> SessionContext:
    if not x_session_token:
        raise SessionTokenRequired()
    return await access.authenticate(db, settings, cache, x_session_token)


CurrentSession = Annotated[SessionContext, Depends(current_session)]
