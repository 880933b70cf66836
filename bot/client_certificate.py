"""A certificate in place of a client secret, for app-only sign-in to Microsoft Entra (the
Graph mailbox and the Teams bot).

With a certificate the app proves who it is with a "client assertion": a short-lived JWT
whose header names the certificate by its thumbprint and which is signed with the
certificate's private key; Entra checks the signature with the public certificate uploaded to
the app registration. Nothing reusable crosses the network, and the key need not leave the
server (a secret is sent with every token request).

Where the certificate comes from, for a setting named e.g. ACTIONBOT_GRAPH_CLIENT_CERTIFICATE:
- ACTIONBOT_GRAPH_CLIENT_CERTIFICATE: PEM text, the private key and the certificate (a line
  break may be written as the two characters \\n, for service managers that take one line);
- ACTIONBOT_GRAPH_CLIENT_CERTIFICATE_PATH: a file holding the same PEM, or a PKCS#12 file
  (.pfx / .p12) as Windows and Azure Key Vault export it;
- ACTIONBOT_GRAPH_CLIENT_CERTIFICATE_PASSWORD: the password of the .pfx or of an encrypted key.
The thumbprints are computed from the certificate, so there is nothing to type and nothing to
get out of step. The key is held in memory only and never shown (see __repr__).
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from config.settings import SettingsError

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME_S = 600  # ten minutes, as msal's
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----.+?-----END \1-----", re.S)
_PROJECT = Path(__file__).resolve().parent.parent  # actionbot's own folder


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True, repr=False)
class ClientCertificate:
    private_key_pem: str  # PKCS#8, unencrypted: in memory only
    certificate_pem: str
    sha1_thumbprint: str  # hex, upper case, as the Entra admin centre shows it
    sha256_thumbprint: str
    not_after: datetime

    def __repr__(self) -> str:  # never the key, even in a traceback
        return f"ClientCertificate(thumbprint={self.sha1_thumbprint}, not_after={self.not_after:%Y-%m-%d})"

    def msal_credential(self) -> dict[str, str]:
        """msal's client_credential for a certificate. Given the certificate (not a typed
        thumbprint), msal 1.35+ computes the SHA-256 thumbprint and signs with PS256, as
        Microsoft now recommends over SHA-1 (x5t) and RS256."""
        return {"private_key": self.private_key_pem, "public_certificate": self.certificate_pem}

    def client_assertion(self, client_id: str, token_url: str, now: float | None = None) -> str:
        """The signed JWT for a client-credentials request to `token_url` (RFC 7523), in the
        form msal sends: PS256, header x5t#S256, aud = the token endpoint, iss = sub = the app."""
        import jwt
        from cryptography.hazmat.primitives import serialization

        issued = int(time.time() if now is None else now)
        claims = {"aud": token_url, "iss": client_id, "sub": client_id, "jti": str(uuid.uuid4()),
                  "nbf": issued, "iat": issued, "exp": issued + ASSERTION_LIFETIME_S}
        key = serialization.load_pem_private_key(self.private_key_pem.encode(), password=None)
        thumbprint = _b64url(bytes.fromhex(self.sha256_thumbprint))
        return jwt.encode(claims, key, algorithm="PS256",  # type: ignore[arg-type]
                          headers={"x5t#S256": thumbprint, "typ": "JWT"})


def certificate_from_environ(environ: Mapping[str, str], variable: str) -> ClientCertificate | None:
    """The certificate that `variable` (PEM text) or `variable`_PATH (a file) names, or None when
    neither is set. Anything unusable raises a SettingsError naming the variable, never a value."""
    text = environ.get(variable, "").strip()
    path_text = environ.get(f"{variable}_PATH", "").strip()
    password_text = environ.get(f"{variable}_PASSWORD", "")
    password = password_text.encode() if password_text else None
    if text and path_text:
        raise SettingsError(f"Both {variable} and {variable}_PATH are set; set one: the PEM text, or the path "
                            "of the file that holds it.")
    if text:
        return _from_pem(text.replace("\\n", "\n").encode(), password, variable)
    if not path_text:
        return None
    path = Path(path_text).expanduser()
    source = f"{variable}_PATH ({path})"
    if path.resolve().is_relative_to(_PROJECT):
        raise SettingsError(f"{source} is inside actionbot's own folder, where a key could end up in the "
                            "repository. Keep it elsewhere, readable only by the service account, e.g. "
                            "/etc/actionbot/graph.pem (mode 600).")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SettingsError(f"{source} cannot be read ({exc.strerror or type(exc).__name__}).") from None
    if b"-----BEGIN" in data:
        return _from_pem(data, password, source)
    return _from_pkcs12(data, password, source, f"{variable}_PASSWORD")


def _from_pem(data: bytes, password: bytes | None, source: str) -> ClientCertificate:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    blocks = [(match.group(1).decode(), match.group(0)) for match in _PEM_BLOCK.finditer(data)]
    keys = [block for tag, block in blocks if tag.endswith("PRIVATE KEY")]
    certificates = [block for tag, block in blocks if tag == "CERTIFICATE"]
    if len(keys) != 1 or not certificates:
        found = ", ".join(tag for tag, _ in blocks) or "no PEM block"
        raise SettingsError(f"{source} must hold one private key (-----BEGIN PRIVATE KEY-----) and its certificate "
                            f"(-----BEGIN CERTIFICATE-----); it holds: {found}.")
    try:
        key = serialization.load_pem_private_key(keys[0], password=password)
    except TypeError:  # encrypted without a password, or a password for a plain key
        raise SettingsError(f"The private key in {source} is encrypted and no password was given, or a password "
                            f"was given for a key that has none: set or unset {_password_variable(source)}.") from None
    except ValueError:
        raise SettingsError(f"The private key in {source} cannot be read: a wrong password "
                            f"({_password_variable(source)}) or a damaged key.") from None
    try:
        chain = [x509.load_pem_x509_certificate(block) for block in certificates]
    except ValueError:
        raise SettingsError(f"A certificate in {source} cannot be read.") from None
    return _pair(key, chain, source)


def _from_pkcs12(data: bytes, password: bytes | None, source: str, password_variable: str) -> ClientCertificate:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, certificate, extra = pkcs12.load_key_and_certificates(data, password)
    except ValueError:
        raise SettingsError(f"{source} is neither PEM nor a PKCS#12 (.pfx) file that {password_variable} opens: "
                            "check the file and the password.") from None
    if key is None or certificate is None:
        raise SettingsError(f"{source} must hold the private key and its certificate; export the .pfx with "
                            "the private key.")
    return _pair(key, [certificate, *extra], source)


def _pair(key: Any, chain: list[Any], source: str) -> ClientCertificate:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    if not isinstance(key, rsa.RSAPrivateKey):
        raise SettingsError(f"The key in {source} is not an RSA key; Microsoft Entra signs apps in with RSA "
                            "certificates only.")
    public = key.public_key().public_numbers()
    mine = [c for c in chain if isinstance(c.public_key(), rsa.RSAPublicKey) and c.public_key().public_numbers() == public]
    if not mine:
        raise SettingsError(f"No certificate in {source} belongs to its private key; put the key and the "
                            "certificate made from it together.")
    certificate = mine[0]
    return ClientCertificate(
        private_key_pem=key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()).decode(),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        sha1_thumbprint=certificate.fingerprint(hashes.SHA1()).hex().upper(),
        sha256_thumbprint=certificate.fingerprint(hashes.SHA256()).hex().upper(),
        not_after=certificate.not_valid_after_utc,
    )


def _password_variable(source: str) -> str:
    return source.split(" ", 1)[0].removesuffix("_PATH") + "_PASSWORD"
