"""A private certificate authority and a server certificate, for serving one machine over HTTPS.

Clients that refuse plain HTTP (pysnc) need the instance on ``https://`` with a certificate they
can verify. ``write_local_tls`` makes, in one folder:

- ``ca.pem``: the authority's certificate; clients trust it (``verify="ca.pem"``,
  ``curl --cacert ca.pem``);
- ``ca-key.pem``: its private key, kept to issue later certificates (never give it out);
- ``server.pem`` and ``server-key.pem``: the server's certificate, for the names and addresses
  asked (by default ``localhost``, ``127.0.0.1`` and ``::1``), and its private key, for the
  web server (``gunicorn --certfile server.pem --keyfile server-key.pem``).

An authority already in the folder is reused, so clients that trust it keep working when the
server certificate is issued again (for more names, or when it expires). Private keys are
written readable by their owner only. Everything is generated here; nothing is downloaded.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1")
CA_DAYS = 3650
SERVER_DAYS = 397  # what browsers accept for a server certificate


@dataclass(frozen=True)
class LocalTlsFiles:
    ca_certificate: Path
    ca_key: Path
    server_certificate: Path
    server_key: Path
    ca_reused: bool


def write_local_tls(directory: Path, hosts: list[str] | None = None, *, new_ca: bool = False) -> LocalTlsFiles:
    """Write the four files into ``directory`` (created if missing); see the module docstring."""
    directory.mkdir(parents=True, exist_ok=True)
    files = LocalTlsFiles(
        ca_certificate=directory / "ca.pem",
        ca_key=directory / "ca-key.pem",
        server_certificate=directory / "server.pem",
        server_key=directory / "server-key.pem",
        ca_reused=not new_ca and (directory / "ca.pem").exists() and (directory / "ca-key.pem").exists(),
    )
    if files.ca_reused:
        ca_key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
        ca_certificate = x509.load_pem_x509_certificate(files.ca_certificate.read_bytes())
    else:
        ca_key, ca_certificate = _authority()
        _write_key(files.ca_key, ca_key)
        files.ca_certificate.write_bytes(ca_certificate.public_bytes(serialization.Encoding.PEM))
    server_key, server_certificate = _server(ca_key, ca_certificate, list(hosts or DEFAULT_HOSTS))
    _write_key(files.server_key, server_key)
    files.server_certificate.write_bytes(server_certificate.public_bytes(serialization.Encoding.PEM))
    return files


def _now() -> datetime:
    return datetime.now(UTC) - timedelta(minutes=5)  # tolerate a client clock slightly behind


def _authority() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CSM Platform local CA")])
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now())
        .not_valid_after(_now() + timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def _server(
    ca_key: ec.EllipticCurvePrivateKey, ca_certificate: x509.Certificate, hosts: list[str]
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(hosts):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    authority_key = ca_certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now())
        .not_valid_after(_now() + timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(authority_key), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, certificate


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Created owner-only from the start: the key is never readable by others, even briefly.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    path.chmod(0o600)
