"""Envelope encryption of personal data inside audit events (location, area, notes).

Each audit chain (a verification, or a caller's refused attempts of one day) gets its own AES-256
data key from KMS. The audit event stores only the AES-GCM ciphertext, so the event hash covers the
ciphertext. The data key is kept (encrypted by KMS) in DynamoDB, not in the locked bucket: deleting
it after the retention period makes the personal data unreadable while every hash chain still
verifies.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from botocore.exceptions import ClientError

from .dynamodb import keys
from .dynamodb.codec import deserialise_item, serialise_item

SEALED = "aes-256-gcm"


class DataKeyErased(Exception):
    """The chain's data key was deleted (retention period over): its personal data is gone."""


class KmsEnvelope:
    def __init__(self, kms: Any, dynamodb: Any, table_name: str, master_key_id: str) -> None:
        self._kms = kms
        self._dynamodb = dynamodb
        self._table = table_name
        self._master_key = master_key_id
        # A few recent plaintext keys (one request usually needs one): bounded so a warm container
        # never accumulates keys.
        self._cache: dict[str, bytes] = {}

    def _context(self, chain_id: str) -> dict[str, str]:
        return {"audit_chain": chain_id}

    def _remember(self, chain_id: str, plaintext: bytes) -> None:
        if len(self._cache) >= 16:
            self._cache.pop(next(iter(self._cache)))
        self._cache[chain_id] = plaintext

    def create_key(self, chain_id: str, created_day: str) -> None:
        """A fresh data key for a new chain, and its place in the retention index of its day."""
        response = self._kms.generate_data_key(
            KeyId=self._master_key, KeySpec="AES_256", EncryptionContext=self._context(chain_id)
        )
        self._dynamodb.transact_write_items(TransactItems=[
            {"Put": {
                "TableName": self._table, "ConditionExpression": "attribute_not_exists(pk)",
                "Item": serialise_item({
                    **keys.data_key_key(chain_id), "kind": "data_key",
                    "encrypted_key": response["CiphertextBlob"], "created_day": created_day,
                }),
            }},
            {"Put": {"TableName": self._table, "Item": serialise_item({
                **keys.retention_key(created_day, chain_id), "kind": "retention",
            })}},
        ])
        self._remember(chain_id, response["Plaintext"])

    def ensure_key(self, chain_id: str, created_day: str) -> None:
        """The chain's data key, made by whichever request needs it first (a refusal chain is
        appended to many times: it gets one key, not one per event)."""
        if chain_id in self._cache:
            return
        try:
            self._key(chain_id)
            return
        except DataKeyErased:
            pass  # not made yet
        try:
            self.create_key(chain_id, created_day)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            self._key(chain_id)  # another request made it meanwhile: use theirs

    def chains_created_on(self, day: str) -> list[str]:
        """Chains whose personal data falls due for erasure together (created on `day`)."""
        chains: list[str] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": serialise_item({":pk": keys.retention_pk(day)}),
        }
        while True:
            response = self._dynamodb.query(**kwargs)
            chains.extend(deserialise_item(item)["sk"] for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return chains
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def forget_retention_entry(self, day: str, chain_id: str) -> None:
        self._dynamodb.delete_item(TableName=self._table, Key=serialise_item(keys.retention_key(day, chain_id)))

    def postpone_retention_entry(self, day: str, chain_id: str, to_day: str) -> bool:
        """Move a chain that cannot be erased yet to a later day's entries (one transaction, so it is
        in exactly one day). False if another run moved or erased it first."""
        try:
            self._dynamodb.transact_write_items(TransactItems=[
                {"Delete": {"TableName": self._table, "ConditionExpression": "attribute_exists(pk)",
                            "Key": serialise_item(keys.retention_key(day, chain_id))}},
                {"Put": {"TableName": self._table, "ConditionExpression": "attribute_not_exists(pk)",
                         "Item": serialise_item({**keys.retention_key(to_day, chain_id), "kind": "retention"})}},
            ])
            return True
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            return False

    def _key(self, chain_id: str) -> bytes:
        if chain_id in self._cache:
            return self._cache[chain_id]
        item = self._dynamodb.get_item(
            TableName=self._table,
            Key=serialise_item(keys.data_key_key(chain_id)),
            ConsistentRead=True,
        ).get("Item")
        if not item:
            raise DataKeyErased(chain_id)
        blob = deserialise_item(item)["encrypted_key"]
        blob = bytes(blob.value if hasattr(blob, "value") else blob)
        response = self._kms.decrypt(CiphertextBlob=blob, EncryptionContext=self._context(chain_id))
        plaintext: bytes = response["Plaintext"]
        self._remember(chain_id, plaintext)
        return plaintext

    def seal(self, chain_id: str, value: Any) -> dict[str, str] | None:
        """Encrypt a JSON value for one chain (None stays None: there is nothing to protect)."""
        if value is None:
            return None
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(12)
        plaintext = json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")
        sealed = AESGCM(self._key(chain_id)).encrypt(nonce, plaintext, chain_id.encode("utf-8"))
        return {"sealed": SEALED, "ciphertext": base64.b64encode(nonce + sealed).decode("ascii")}

    def open(self, chain_id: str, sealed: dict[str, str] | None) -> Any:
        if sealed is None:
            return None
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        raw = base64.b64decode(sealed["ciphertext"])
        plaintext = AESGCM(self._key(chain_id)).decrypt(raw[:12], raw[12:], chain_id.encode("utf-8"))
        return json.loads(plaintext)

    def erase(self, chain_id: str) -> bool:
        """Delete the data key for good. True if there was one."""
        self._cache.pop(chain_id, None)
        try:
            self._dynamodb.delete_item(
                TableName=self._table,
                Key=serialise_item(keys.data_key_key(chain_id)),
                ConditionExpression="attribute_exists(pk)",
            )
            return True
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and value.get("sealed") == SEALED
