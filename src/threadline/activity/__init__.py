"""Channel activity: which session did what on which channel, and when, kept for the figures."""
