"""The shopper's pages: the in-store kiosk and the website chat (plain HTML, CSS and JS modules)."""
