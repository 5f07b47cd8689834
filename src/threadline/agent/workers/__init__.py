"""The worker agents: each acts on commands of its kind, only through the domain services.

recommendation (search, refine, details, complete the look), inventory (stock, stores), cart,
offers (coupons, offers, loyalty), checkout (fulfilment and payment) and support (orders,
returns, a person).  A worker returns an :class:`~threadline.agent.turn.Outcome` of facts;
it never writes the reply itself.
"""
