"""Errors of the operations endpoints.

``AppError`` → ``Unauthorized`` (401) → ``MetricsTokenRequired``; ``AppError`` (403) →
``MetricsClosed``.
"""

from __future__ import annotations

from threadline.core.errors import AppError, Unauthorized


class MetricsTokenRequired(Unauthorized):
    code = "metrics_token_required"
    message = "Scraping /metrics needs the header Authorization: Bearer <METRICS_TOKEN>."

    def __init__(self) -> None:
        super().__init__(headers={"WWW-Authenticate": 'Bearer realm="metrics"'})


class MetricsClosed(AppError):
    status = 403
    code = "metrics_closed"
    message = (
        "/metrics is closed in production until METRICS_TOKEN is set; set it, then scrape "
        "with Authorization: Bearer <METRICS_TOKEN>."
    )
