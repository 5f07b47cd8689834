"""WhatsApp Cloud API: the signed webhook, typed payloads and replies through /messages."""
