"""gatepost_devstack."""
