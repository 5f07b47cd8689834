"""The staff dashboard's API (``/admin/api/…``): sign-in and the figures of a period."""
