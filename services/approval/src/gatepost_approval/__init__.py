"""gatepost_approval."""
