"""Messaging channels: the WhatsApp Cloud and Telegram webhooks and their durable queues."""
