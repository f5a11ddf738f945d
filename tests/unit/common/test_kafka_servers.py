"""A cluster's bootstrap servers, given as KAFKA_BOOTSTRAP_SERVERS="a:1,b:2", reach the Kafka
clients as separate servers (FastStream passed the whole string on as one host name)."""

from __future__ import annotations

from gatepost_common.kafka import bootstrap_servers


def test_a_clusters_bootstrap_servers_are_separate_hosts() -> None:
    assert bootstrap_servers("127.0.0.1:9092, 127.0.0.1:9094,127.0.0.1:9096,") == [
        "127.0.0.1:9092",
        "127.0.0.1:9094",
        "127.0.0.1:9096",
    ]
    assert bootstrap_servers("kafka:9092") == ["kafka:9092"]
