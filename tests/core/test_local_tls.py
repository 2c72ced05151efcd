"""make_local_tls: a private CA and a server certificate for the names asked, keys kept private,
the CA reused on later runs so clients keep trusting it."""

import io
import ipaddress
import stat

from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store
from django.core.management import call_command


def load(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_the_server_certificate_verifies_against_the_ca_for_each_name(tmp_path):
    call_command("make_local_tls", dir=str(tmp_path), hosts=["localhost", "127.0.0.1"], stdout=io.StringIO())

    ca, server = load(tmp_path / "ca.pem"), load(tmp_path / "server.pem")
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    verifier = PolicyBuilder().store(Store([ca])).build_server_verifier(x509.DNSName("localhost"))
    chain = verifier.verify(server, [])
    assert chain[-1] == ca
    for key in ("ca-key.pem", "server-key.pem"):
        assert stat.S_IMODE((tmp_path / key).stat().st_mode) == 0o600


def test_a_second_run_reuses_the_authority_unless_asked_for_a_new_one(tmp_path):
    call_command("make_local_tls", dir=str(tmp_path), hosts=None, stdout=io.StringIO())
    first_ca, first_server = (tmp_path / "ca.pem").read_bytes(), (tmp_path / "server.pem").read_bytes()

    out = io.StringIO()
    call_command("make_local_tls", dir=str(tmp_path), hosts=["csm.local"], stdout=out)
    assert (tmp_path / "ca.pem").read_bytes() == first_ca and "Reused authority" in out.getvalue()
    assert (tmp_path / "server.pem").read_bytes() != first_server
    assert load(tmp_path / "server.pem").issuer == load(tmp_path / "ca.pem").subject

    call_command("make_local_tls", dir=str(tmp_path), hosts=None, new_ca=True, stdout=io.StringIO())
    assert (tmp_path / "ca.pem").read_bytes() != first_ca
