"""Prometheus metrics.  Route labels are path templates, never raw paths, to bound cardinality."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "threadline_http_requests_total",
    "HTTP requests by route and status",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "threadline_http_request_duration_seconds",
    "HTTP request latency by route",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
SESSIONS_STARTED = Counter(
    "threadline_sessions_started_total",
    "Successful /session/start calls by channel; new=true when a session was created",
    ["channel", "new"],
)
SESSIONS_RESTORED = Counter(
    "threadline_sessions_restored_total",
    "Successful restores by channel and method",
    ["channel", "by"],
)
SESSIONS_PURGED = Counter("threadline_sessions_purged_total", "Expired sessions removed")
CHAT_TURNS = Counter(
    "threadline_chat_turns_total",
    "Sales agent turns by what the agent did and which layer understood the message",
    ["action", "source"],
)
CHAT_TURN_SECONDS = Histogram(
    "threadline_chat_turn_seconds",
    "Server time of a chat turn, from arrival to reply (waiting for earlier turns included)",
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CHANNEL_INBOUND = Counter(
    "threadline_channel_inbound_total",
    "Messages delivered by a messaging platform, by outcome (accepted, duplicate)",
    ["channel", "outcome"],
)
CHANNEL_ANSWERED = Counter(
    "threadline_channel_answered_total",
    "Inbound channel messages answered, by outcome (answered, gave_up)",
    ["channel", "outcome"],
)
CHANNEL_QUEUED = Counter(
    "threadline_channel_replies_queued_total",
    "Send-API calls written to the outbox (each ends as sent or failed)",
    ["channel"],
)
CHANNEL_SENDS = Counter(
    "threadline_channel_sends_total",
    "Calls to a messaging platform's send API, by result (sent, retry, failed)",
    ["channel", "result"],
)
