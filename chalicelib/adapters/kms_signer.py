"""Signs and verifies audit digests with an asymmetric KMS key (RSASSA_PSS_SHA_256).

The private key never leaves KMS, so whoever can write to the audit bucket still cannot forge a
digest; anyone allowed `kms:Verify` (or holding the public key) can check one.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from ..domain.digest import SIGNING_ALGORITHM


class KmsDigestSigner:
    def __init__(self, client: Any, key_id: str) -> None:
        self._client = client
        self.key_id = key_id

    def sign(self, message_digest: bytes) -> bytes:
        response = self._client.sign(
            KeyId=self.key_id,
            Message=message_digest,
            MessageType="DIGEST",
            SigningAlgorithm=SIGNING_ALGORITHM,
        )
        signature: bytes = response["Signature"]
        return signature

    def verify(self, message_digest: bytes, signature: bytes, key_id: str | None = None) -> bool:
        try:
            response = self._client.verify(
                KeyId=key_id or self.key_id,
                Message=message_digest,
                MessageType="DIGEST",
                Signature=signature,
                SigningAlgorithm=SIGNING_ALGORITHM,
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in ("KMSInvalidSignatureException", "InvalidSignatureException"):
                return False
            raise
        return bool(response.get("SignatureValid"))
