"""Threadline: one shopping conversation across kiosk, web, app, WhatsApp and Telegram."""

__version__ = "0.1.0"
