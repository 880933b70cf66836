"""Certificate sign-in as the Microsoft identity platform checks it, for the fake token
endpoints (tests/fakes/graph_server.py, tests/teams_fakes.py), and throwaway certificates to
sign in with. Keys are made in each test run and never written anywhere but tmp_path.

A client assertion (RFC 7523, Microsoft's "certificate credentials") is accepted when:
- client_assertion_type is urn:ietf:params:oauth:client-assertion-type:jwt-bearer;
- its header names an uploaded certificate: x5t (base64url SHA-1 thumbprint, with RS256) or
  x5t#S256 (base64url SHA-256 thumbprint, with PS256, msal's default since 1.35);
- its signature verifies with that certificate's public key;
- aud is the token endpoint, iss = sub = the client id, and exp/nbf hold now.
Otherwise the endpoint answers 401 invalid_client with an AADSTS text like Entra's.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
NOT_REGISTERED = "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application."
BAD_SIGNATURE = "AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found.]"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class TestCertificate:
    """A self-signed RSA certificate and its key, as an admin would make one for an app."""

    __test__ = False  # not a pytest test class
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @classmethod
    def make(cls, common_name: str = "actionbot test") -> TestCertificate:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = dt.datetime.now(dt.timezone.utc)
        certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                       .serial_number(x509.random_serial_number())
                       .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=30))
                       .sign(key, hashes.SHA256()))
        return cls(key, certificate)

    def key_pem(self, password: bytes | None = None) -> str:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption())
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      encryption).decode()

    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    def pem(self, password: bytes | None = None) -> str:
        """The key and the certificate in one PEM text, as `openssl pkcs12 -nodes` writes it."""
        return self.key_pem(password) + self.certificate_pem()

    def write_pem(self, path: Path, password: bytes | None = None) -> Path:
        path.write_text(self.pem(password))
        path.chmod(0o600)
        return path

    def write_pfx(self, path: Path, password: bytes) -> Path:
        path.write_bytes(pkcs12.serialize_key_and_certificates(
            b"actionbot", self.key, self.certificate, None, serialization.BestAvailableEncryption(password)))
        path.chmod(0o600)
        return path

    @property
    def sha1_thumbprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA1()).hex().upper()


def assertion_refusal(form: Mapping[str, Any], certificates: Sequence[x509.Certificate], client_id: str,
                      token_url: str) -> str | None:
    """None when `form` carries a valid client assertion for one of `certificates`, else Entra's
    kind of error description."""
    if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
        return "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type."
    assertion = str(form["client_assertion"])
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.InvalidTokenError:
        return "AADSTS50027: JWT token is invalid or malformed."
    by_thumbprint: dict[tuple[str, str], x509.Certificate] = {}
    for uploaded in certificates:
        by_thumbprint[("x5t", _b64url(uploaded.fingerprint(hashes.SHA1())))] = uploaded
        by_thumbprint[("x5t#S256", _b64url(uploaded.fingerprint(hashes.SHA256())))] = uploaded
    # base64url without padding (RFC 7515) or with it (msal Python pads); Entra takes both.
    named = {name: str(header[name]).rstrip("=") for name in ("x5t#S256", "x5t") if name in header}
    certificate = next((by_thumbprint[(name, value)] for name, value in named.items()
                        if (name, value) in by_thumbprint), None)
    if certificate is None:
        return NOT_REGISTERED
    if header.get("alg") not in ("RS256", "PS256"):
        return f"AADSTS5002738: Invalid JWT token. '{header.get('alg')}' is not a supported signature algorithm."
    try:
        public_key: Any = certificate.public_key()
        claims = jwt.decode(assertion, public_key, algorithms=[str(header["alg"])],
                            audience=token_url, issuer=client_id,
                            options={"require": ["aud", "iss", "sub", "exp", "jti"]})
    except jwt.InvalidSignatureError:
        return BAD_SIGNATURE
    except jwt.InvalidAudienceError:
        return f"AADSTS700023: Client assertion audience is not the token endpoint {token_url}."
    except jwt.InvalidTokenError as exc:
        return f"AADSTS700023: Client assertion is invalid ({type(exc).__name__})."
    if claims.get("sub") != client_id:
        return "AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter."
    return None
