"""gatepost_publisher."""
