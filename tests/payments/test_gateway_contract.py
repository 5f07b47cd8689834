"""What every ``PaymentGateway`` must do; each implementation is run through the same tests.

Only the built-in simulated gateway exists so far; a provider adapter joins ``GATEWAYS`` (with
a local HTTP server speaking the provider's protocol) and must pass these unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from threadline.payments.gateway import DECLINE_TOKEN, Charge, PaymentGateway, SimulatedGateway

GATEWAYS: dict[str, Callable[[], PaymentGateway]] = {
    "simulated": lambda: SimulatedGateway(card_limit_paise=1_000_000),
}


@pytest.fixture(params=list(GATEWAYS))
def gateway(request: pytest.FixtureRequest) -> PaymentGateway:
    return GATEWAYS[request.param]()


def charge(method: str = "upi", amount: int = 149_900, token: str | None = None) -> Charge:
    return Charge(
        amount_paise=amount, method=method, reference="TL-TEST", customer_id="C1", token=token
    )  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["upi", "card", "wallet"])
async def test_an_approved_payment_is_captured_with_a_reference(gateway: PaymentGateway, method):
    result = await gateway.charge(charge(method))
    assert result.status == "captured"
    assert result.provider_ref
    assert result.decline_reason is None


async def test_cash_on_delivery_is_pending_until_collected(gateway: PaymentGateway):
    result = await gateway.charge(charge("cod"))
    assert result.status == "pending"


async def test_a_decline_is_a_result_with_a_reason_not_an_exception(gateway: PaymentGateway):
    result = await gateway.charge(charge("upi", token=DECLINE_TOKEN))
    assert result.status == "declined"
    assert result.decline_reason
    assert result.provider_ref is None


async def test_every_capture_has_its_own_reference(gateway: PaymentGateway):
    first, second = await gateway.charge(charge()), await gateway.charge(charge())
    assert first.provider_ref != second.provider_ref


async def test_a_refund_retried_with_its_key_is_paid_once(gateway: PaymentGateway):
    paid = await gateway.charge(charge())
    assert paid.provider_ref is not None
    first = await gateway.refund(paid.provider_ref, 149_900, idempotency_key="TL-TEST:cancelled")
    again = await gateway.refund(paid.provider_ref, 149_900, idempotency_key="TL-TEST:cancelled")
    other = await gateway.refund(paid.provider_ref, 100, idempotency_key="TL-TEST:return:x")
    assert first == again
    assert other != first


async def test_the_simulated_gateway_declines_cards_over_its_limit():
    gateway = SimulatedGateway(card_limit_paise=1_000_000)
    assert (await gateway.charge(charge("card", amount=1_000_001))).status == "declined"
    assert (await gateway.charge(charge("card", amount=1_000_000))).status == "captured"
    assert (await gateway.charge(charge("upi", amount=5_000_000))).status == "captured"
    assert gateway.refunded == {}
