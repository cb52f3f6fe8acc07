"""The market's signing key (Ed25519): checkpoints of auction records that parties verify offline.

The private key comes from ``settings.MARKET_SIGNING_KEY`` (the environment's ``MARKET_SIGNING_KEY``:
a PEM PKCS#8 Ed25519 key, or the 32-byte raw seed in base64). When it is unset (development, the
tests), a key is generated once under ``var/market-signing-key.pem`` and reused; a production
deployment refuses to start without one (system check ``config.E002``). The public key is published
at ``GET /api/v1/keys/``; ``tools/verify_record.py`` checks a downloaded record with it.

A signed message is the canonical JSON of a dict (sorted keys, no spaces, UTF-8), so the verifier
recomputes exactly the signed bytes from the record's ``checkpoint`` object.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

ALGORITHM = "Ed25519"


def canonical_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _dev_key_path() -> Path:
    return Path(settings.BASE_DIR) / "var" / "market-signing-key.pem"


def key_from_text(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("MARKET_SIGNING_KEY is not an Ed25519 key")
        return key
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text))


def _dev_key() -> Ed25519PrivateKey:
    """The development key under var/, made once (atomically, so two processes agree on it)."""
    path = _dev_key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pem)
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # fails if another process made it first: theirs wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return key_from_text(path.read_text())


@lru_cache(maxsize=4)
def _private_key(configured: str) -> Ed25519PrivateKey:
    return key_from_text(configured) if configured else _dev_key()


def private_key() -> Ed25519PrivateKey:
    return _private_key(getattr(settings, "MARKET_SIGNING_KEY", "") or "")


def public_key_raw(key: Ed25519PublicKey | None = None) -> bytes:
    key = key or private_key().public_key()
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(raw: bytes | None = None) -> str:
    """The key's fingerprint: the first 16 hex digits of the SHA-256 of its raw public bytes."""
    return hashlib.sha256(raw if raw is not None else public_key_raw()).hexdigest()[:16]


def public_key_info() -> dict[str, str]:
    """The published key: ``GET /api/v1/keys/``."""
    raw = public_key_raw()
    pem = (
        private_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return {
        "key_id": key_id(raw),
        "algorithm": ALGORITHM,
        "public_key": base64.b64encode(raw).decode(),
        "pem": pem.decode(),
    }


def sign(payload: dict[str, Any]) -> tuple[str, str]:
    """The base64 signature of ``payload``'s canonical bytes, and the id of the key that made it."""
    signature = private_key().sign(canonical_bytes(payload))
    return base64.b64encode(signature).decode(), key_id()


def verify(payload: dict[str, Any], signature: str, public_key: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            base64.b64decode(signature), canonical_bytes(payload)
        )
    except (InvalidSignature, ValueError):
        return False
    return True
