"""Staff accounts: people who run the shop, signed in to the dashboard, apart from customers."""
