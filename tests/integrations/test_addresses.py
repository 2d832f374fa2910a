"""Webhook URLs inside the network are refused unless WEBHOOK_ALLOW_PRIVATE is on."""

import pytest

from integrations import addresses
from integrations.addresses import AddressRefused, check_url


@pytest.fixture
def dns(monkeypatch):
    """Names resolve to what the test says; literals resolve to themselves."""
    answers: dict[str, list[str]] = {}

    def resolve(host, port):
        return answers.get(host, [host])

    monkeypatch.setattr(addresses, "resolve", resolve)
    return answers


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/hook",
        "http://10.1.2.3/hook",
        "http://172.16.0.1/hook",
        "http://192.168.1.10/hook",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://240.0.0.1/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fd00::1]/hook",
    ],
)
def test_an_address_inside_the_network_is_refused(url, dns, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    dns["localhost"] = ["127.0.0.1", "::1"]

    with pytest.raises(AddressRefused, match="points inside the network"):
        check_url(url)


def test_a_name_with_one_private_address_among_public_ones_is_refused(dns, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    dns["hooks.example.com"] = ["93.184.215.14", "192.168.0.5"]

    with pytest.raises(AddressRefused, match=r"192\.168\.0\.5"):
        check_url("https://hooks.example.com/in")


def test_a_public_address_is_allowed_and_is_where_the_delivery_connects(dns, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    dns["hooks.slack.com"] = ["34.192.100.1"]

    target = check_url("https://hooks.slack.com/services/T0/B0/x?y=1")

    assert (target.address, target.host, target.port) == ("34.192.100.1", "hooks.slack.com", 443)
    assert target.path == "/services/T0/B0/x?y=1"
    assert target.host_header == "hooks.slack.com"


def test_the_setting_lets_private_addresses_through(dns, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True

    target = check_url("http://10.1.2.3:8080/hook")

    assert target.host_header == "10.1.2.3:8080"


@pytest.mark.parametrize("url", ["ftp://93.184.215.14/x", "file:///etc/passwd", "gopher://a/"])
def test_only_http_and_https_are_allowed(url, dns, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True

    with pytest.raises(AddressRefused, match="Only http:// and https://"):
        check_url(url)


def test_a_name_dns_does_not_know_is_refused(monkeypatch):
    def unknown(host, port):
        raise OSError("Name or service not known")

    monkeypatch.setattr(addresses, "resolve", unknown)

    with pytest.raises(AddressRefused, match="cannot be found"):
        check_url("https://nowhere.invalid/hook")
