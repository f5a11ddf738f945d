"""The project's Kafka start-up against the real broker's storage tool."""

from __future__ import annotations

from pathlib import Path

from gatepost_devstack import infra

PASSWORDS = {"admin": "a0", "controller": "c0"}


def test_a_cluster_id_starting_with_a_dash_formats(tmp_path: Path) -> None:
    """One random cluster id in 64 starts with "-"; given as its own argument, the storage tool
    read it as an option and the broker never started (seen in a benchmark run)."""
    data = tmp_path / "data"
    data.mkdir()
    properties = tmp_path / "server.properties"
    properties.write_text(
        infra.node_properties(
            node=1,
            quorum="controller.quorum.bootstrap.servers=127.0.0.1:2",
            port=1,
            controller_port=2,
            data=data,
            partitions=1,
            passwords=PASSWORDS,
        )
    )
    libs = infra.maven_classpath("kafka", "KAFKA_BOOTSTRAP_SERVERS")
    infra.format_storage(
        [infra.java(), "-cp", f"{libs}/*"], properties, data, "-vRR-M2KSTKdXhhBmW7eYw", PASSWORDS
    )
    meta = (data / "meta.properties").read_text()
    assert "cluster.id=-vRR-M2KSTKdXhhBmW7eYw" in meta
    assert infra.formatted(data)  # marked as holding the principals: not cleared next start
