"""VAPID key pairs: the private key signs each push (a secret); the public one is what browsers subscribe with.

Both travel as base64url text, the form the Push API's ``applicationServerKey`` and ``py_vapid`` take:
the private key as its raw 32-byte scalar, the public one as the uncompressed P-256 point.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class VapidKeys:
    private_key: str
    public_key: str


def generate() -> VapidKeys:
    """A new key pair (``centrale vapid-keys``; the development server's keys when none is configured)."""
    key = ec.generate_private_key(ec.SECP256R1())
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    return VapidKeys(private_key=_b64url(raw), public_key=public_of(_b64url(raw)))


def vapid_of(private_key: str) -> Vapid:
    """The signer of a private key given as base64url raw, base64url DER or PEM."""
    text = private_key.strip()
    if text.startswith("-----BEGIN"):
        return Vapid.from_pem(text.encode())
    return Vapid.from_string(text)


def public_of(private_key: str) -> str:
    """The browsers' ``applicationServerKey`` of a private key."""
    public = vapid_of(private_key).public_key
    return _b64url(public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))
