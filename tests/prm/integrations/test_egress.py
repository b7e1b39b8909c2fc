"""Webhooks go to public addresses only: no request forgery into the server's own network."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import override_settings
from django.utils import translation

from prm.integrations.egress import address_allowed
from prm.integrations.outbox_forms import WebhookForm
from prm.integrations.sending import DeliveryError, http_post

from .receiver import Receiver

PRIVATE_MSG = "This address is on a private or reserved network; webhooks go to public addresses."


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("8.8.8.8", True),
        ("2400:3200::1", True),
    ],
)
@override_settings(PRM_EGRESS_ALLOWED_NETWORKS=[])
def test_only_public_addresses_are_allowed(address, allowed):
    assert address_allowed(ipaddress.ip_address(address)) is allowed


@override_settings(PRM_EGRESS_ALLOWED_NETWORKS=["10.0.0.0/8"])
def test_an_operator_allowed_network_is_reachable_and_no_other():
    assert address_allowed(ipaddress.ip_address("10.20.30.40")) is True
    assert address_allowed(ipaddress.ip_address("192.168.0.1")) is False


@override_settings(PRM_EGRESS_ALLOWED_NETWORKS=[])
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_send_to_the_servers_own_network_is_refused_before_a_byte_goes(host):
    receiver = Receiver().start()
    try:
        url = f"http://{host}:{receiver.port}/hook"
        with pytest.raises(DeliveryError) as refused:
            http_post(url, b"{}", {"Content-Type": "application/json"})
    finally:
        receiver.stop()

    assert "EgressRefused" in str(refused.value)
    assert "private or reserved address; not sent." in str(refused.value)
    assert receiver.received == []


def test_an_allowed_network_is_sent_to():
    receiver = Receiver().start()
    try:
        status, _answer = http_post(receiver.url, b"{}", {"Content-Type": "application/json"})
    finally:
        receiver.stop()

    assert status == 200
    assert len(receiver.received) == 1


@override_settings(PRM_EGRESS_ALLOWED_NETWORKS=[])
@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://169.254.169.254/latest/meta-data/", [PRIVATE_MSG]),
        ("http://localhost:6379/", [PRIVATE_MSG]),
        ("https://[::1]/hook", [PRIVATE_MSG]),
        ("https://10.0.0.5/hook", [PRIVATE_MSG]),
        ("https://hooks.example.com/prm", None),
    ],
)
def test_the_form_refuses_a_private_address_at_the_url_field(url, error):
    data = {"name": "ERP", "url": url, "secret": "s" * 32, "event_types": ["order.approved"]}
    with translation.override("en"):
        form = WebhookForm(data)
        form.is_valid()

    assert form.errors.get("url") == error
