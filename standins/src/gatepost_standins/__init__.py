"""gatepost_standins."""
