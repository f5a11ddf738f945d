"""The local run's secrets are made once per run folder and kept; one added since an older run
folder was made (a Kafka principal: auth reads tiktok.webhook) is added, the rest kept."""

from __future__ import annotations

import json
from pathlib import Path

from gatepost_common.access import KAFKA_PRINCIPALS
from gatepost_devstack.config import local_secrets


def test_a_principal_added_since_gets_a_password_and_the_others_are_kept(tmp_path: Path) -> None:
    first = local_secrets(tmp_path)
    passwords = json.loads(first["kafka_passwords"])
    older = {name: pw for name, pw in passwords.items() if name != "auth"}
    (tmp_path / "secrets.json").write_text(
        json.dumps({**first, "kafka_passwords": json.dumps(older)})
    )
    again = local_secrets(tmp_path)
    kept = json.loads(again["kafka_passwords"])
    assert set(kept) == {"admin", "controller", *KAFKA_PRINCIPALS}
    assert {name: kept[name] for name in older} == older, "existing passwords are kept"
    assert again["session_private_key"] == first["session_private_key"]
    assert (
        json.loads((tmp_path / "secrets.json").read_text())["kafka_passwords"]
        == again["kafka_passwords"]
    )
