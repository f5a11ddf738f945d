"""Verify the audit log's hash chains: `python -m gatepost_publisher.verify_audit [ACCOUNT_ID]`.
Prints the first broken link of each broken chain and exits 1 if any; 0 when all hold."""

from __future__ import annotations

import asyncio
import sys

from gatepost_common.audit import verify_chain
from gatepost_common.mongo import create_mongo_client
from gatepost_publisher.settings import Settings


async def verify(account: str | None) -> int:
    settings = Settings()
    mongo = create_mongo_client(settings)
    try:
        entries = mongo[settings.database]["audit"]
        accounts = [account] if account else await entries.distinct("account_id")
        broken = 0
        for account_id in accounts:
            chain = [e async for e in entries.find({"account_id": account_id}).sort("seq", 1)]
            problem = verify_chain(chain)
            if problem:
                broken += 1
                print(f"BROKEN {account_id}: {problem}")
            else:
                print(f"ok     {account_id}: {len(chain)} entries")
        return 1 if broken else 0
    finally:
        await mongo.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(verify(sys.argv[1] if len(sys.argv) > 1 else None)))
