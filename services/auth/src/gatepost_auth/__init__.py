"""gatepost_auth."""
