"""The local MongoDB-wire server's in-memory backend (the drain benchmark's): it answers as the
on-disk one does, unique indexes included, and leaves nothing on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError

from gatepost_devstack import infra
from gatepost_devstack.config import TEST_PORTS
from gatepost_devstack.supervisor import Supervisor


def test_the_in_memory_server_keeps_unique_keys_and_writes_no_file(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path / "logs")
    data = tmp_path / "mongo"
    try:
        url = infra.start_mongo(
            supervisor, infra.MongoConfig(TEST_PORTS.mongo + 700, data, in_memory=True)
        )
        client: MongoClient[dict[str, object]] = MongoClient(url)
        with client:
            audit = client["probe"]["audit"]
            audit.create_index([("account_id", 1), ("seq", 1)], unique=True)
            audit.insert_one({"account_id": "a", "seq": 1})
            with pytest.raises(DuplicateKeyError):
                audit.insert_one({"account_id": "a", "seq": 1})
            assert audit.count_documents({"account_id": "a"}) == 1
    finally:
        supervisor.stop()
    assert list(data.iterdir()) == []  # the on-disk server would have written gatepost.mv
    assert "(data in memory) listening" in (tmp_path / "logs" / "mongo.log").read_text()
