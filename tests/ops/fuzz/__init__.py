"""What the OpenAPI fuzz test (``tests/ops/test_openapi_fuzz.py``) needs beyond the description.

A generator that only reads ``/openapi.json`` mostly meets ``401 session_token_required`` and
``404 product_not_found``, and the code behind them is never reached.  ``hooks`` mixes, into what
schemathesis generates, values that exist in the store — products, orders and their lines,
coupon codes, phones and passwords that work — and credentials: a customer's or a guest's token,
the service key, a staff sign-in, a kiosk's handoff ticket, the OTP just sent, a WhatsApp body
signed with the app secret, Telegram's secret.  Credentials are drawn as placeholders
(``fuzz:…``) that ``target.Fuzz.prepare`` makes real just before the call, because the fuzz
itself logs devices out, ends sessions and spends tickets: a token minted when the example was
generated could be dead by the time it is sent.
"""
