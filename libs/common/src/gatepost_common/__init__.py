"""gatepost_common."""
