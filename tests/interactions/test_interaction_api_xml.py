"""XML in and out (docs/platform.md): responses parsed with a standard XML parser carry the
same values as the JSON ones; XML bodies are read as maps."""

from xml.etree import ElementTree

import pytest

from interactions.models import Interaction, InteractionConnector, InteractionJsonBlob, LiveGroupProfile, Queue

URL = "/api/now/interaction"


@pytest.fixture
def channel(db) -> InteractionConnector:
    return InteractionConnector.objects.create(name="Chat")


@pytest.fixture
def queue(db) -> Queue:
    return Queue.objects.create(name="Billing")


def xml_result(response) -> dict:
    """``<response><result>...</result></response>`` as the JSON-shaped dict it stands for."""
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "response"
    (result,) = root.findall("result")
    values = {}
    for child in result:
        if len(child):
            values[child.tag] = {leaf.tag: {"true": True, "false": False}.get(leaf.text, leaf.text) for leaf in child}
        else:
            values[child.tag] = child.text or ""
    return values


def test_xml_body_and_xml_response(interaction_agent_client, channel, queue):
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><request><entry>'
        f"<channel>{channel.sys_id}</channel><queue>{queue.sys_id}</queue>"
        "<context><customer>Beth</customer><order><id>ORD1</id></order></context>"
        "<channel_metadata><room>r-17</room></channel_metadata>"
        "</entry></request>"
    )

    response = interaction_agent_client.post(
        URL, data=body, content_type="application/xml", HTTP_ACCEPT="application/xml"
    )

    assert response.status_code == 201
    result = xml_result(response)
    stored = Interaction.objects.get()
    assert result["sys_id"] == stored.sys_id
    assert result["state"] == "queued"
    assert result["context"] == {"present": True}
    assert InteractionJsonBlob.objects.get(sys_id=result["contextDocument"]).value == {
        "customer": "Beth",
        "order": {"id": "ORD1"},
    }
    assert LiveGroupProfile.objects.get(sys_id=result["channelMetadataDocument"]).value == {"room": "r-17"}


def test_xml_response_matches_the_json_one(interaction_agent_client, channel, queue):
    created = interaction_agent_client.post(
        URL, data={"channel": channel.sys_id, "queue": queue.sys_id}, format="json"
    ).json()["result"]
    url = f"{URL}/{created['sys_id']}/close"
    closed_json = interaction_agent_client.post(url).json()["result"]

    closed_xml = xml_result(interaction_agent_client.post(url, HTTP_ACCEPT="application/xml"))

    assert closed_xml == closed_json
    assert list(closed_xml) == list(closed_json)


def test_empty_xml_elements_count_as_not_given(interaction_agent_client, channel):
    body = (
        f"<request><entry><channel>{channel.sys_id}</channel><queue/><context_table></context_table>"
        "<context_id/></entry></request>"
    )

    response = interaction_agent_client.post(URL, data=body, content_type="application/xml")

    assert response.status_code == 201
    assert response.json()["result"]["state"] == "new"


@pytest.mark.parametrize("body", ["<request><entry><channel>", "not xml", "<!DOCTYPE x [<!ENTITY a 'a'>]><a>&a;</a>"])
def test_unreadable_xml_is_a_400_envelope_in_xml(interaction_agent_client, channel, body):
    response = interaction_agent_client.post(
        URL, data=body, content_type="application/xml", HTTP_ACCEPT="application/xml"
    )

    assert response.status_code == 400
    root = ElementTree.fromstring(response.content)
    assert root.findtext("error/message") == "Exception while reading request"
    assert root.findtext("status") == "failure"
    assert Interaction.objects.count() == InteractionJsonBlob.objects.count() == 0


def test_missing_channel_in_xml_is_a_400_envelope(interaction_agent_client, db):
    response = interaction_agent_client.post(
        URL,
        data="<request><entry><queue>x</queue></entry></request>",
        content_type="application/xml",
        HTTP_ACCEPT="application/xml",
    )

    assert response.status_code == 400
    root = ElementTree.fromstring(response.content)
    assert root.findtext("error/message") == "Missing mandatory parameter"
    assert "channel" in root.findtext("error/detail")
    assert Interaction.objects.count() == 0


def test_unsupported_accept_is_a_406(interaction_agent_client, channel):
    response = interaction_agent_client.post(
        URL, data={"channel": channel.sys_id}, format="json", HTTP_ACCEPT="text/csv"
    )

    assert response.status_code == 406
