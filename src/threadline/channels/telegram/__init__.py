"""Telegram: the bot's webhook, its replies through the Bot API, and the set-webhook command."""
