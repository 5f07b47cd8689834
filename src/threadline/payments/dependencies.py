"""The payment gateway the app created in ``lifespan``, for the routers that need it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from threadline.config import Settings
from threadline.payments.gateway import PaymentGateway, SimulatedGateway


def create_gateway(settings: Settings) -> PaymentGateway:
    return SimulatedGateway(card_limit_paise=settings.payment_card_limit_inr * 100)


async def get_gateway(request: Request) -> PaymentGateway:
    gateway: PaymentGateway = request.app.state.payment_gateway
    return gateway


GatewayDep = Annotated[PaymentGateway, Depends(get_gateway)]
