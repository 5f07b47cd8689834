"""The staff sign-in of a request: an HttpOnly cookie, never a customer's token header."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from threadline.db import session_scope
from threadline.staff import service
from threadline.staff.service import StaffIdentity

# HttpOnly (page scripts never see it), SameSite=Strict (no other site's page can make the
# browser send it) and scoped to /admin; Secure when the request came over https.
COOKIE = "tl_staff"
COOKIE_PATH = "/admin"


async def current_staff(request: Request) -> StaffIdentity:
    """401 ``staff_login_required`` unless the cookie holds a live staff sign-in.

    A read (on SQLite beside the writer): signing in is a fixed-length shift, so using the
    dashboard writes nothing.
    """
    async with session_scope(request.app.state.read_sessionmaker) as db:
        return await service.authenticate(db, request.cookies.get(COOKIE))


CurrentStaff = Annotated[StaffIdentity, Depends(current_staff)]
