"""gatepost_generator."""
