"""gatepost_media."""
