"""OPTIONS on every API endpoint is answered in the endpoint's envelope, never a 500: a test
walks every URL pattern of the project."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

SYS_ID = "0" * 32
VALUES = {"version": "v1", "format": "json"}


def api_urls(resolver: URLResolver, namespace: str = "", *, top: bool = True) -> list[str]:
    urls = ["/api/unknown/path"] if top else []
    for entry in resolver.url_patterns:
        if top and not str(entry.pattern).startswith("api/"):
            continue  # the staff admin and the catch-alls
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            urls += api_urls(entry, inner, top=False)
        elif isinstance(entry, URLPattern) and entry.name:
            kwargs = {name: VALUES.get(name, SYS_ID) for name in entry.pattern.regex.groupindex}
            urls.append(reverse(f"{namespace}{entry.name}", kwargs=kwargs))
            if "version" in kwargs:  # the default (unversioned) URL too
                kwargs.pop("version")
                urls.append(reverse(f"{namespace}{entry.name}", kwargs=kwargs))
    return sorted(set(urls))


@pytest.mark.django_db
def test_options_on_every_endpoint_is_never_a_server_error(client_for):
    client = client_for("admin")
    urls = api_urls(get_resolver())
    assert {"/api/now/contact", "/api/now/interaction", "/api/sn_lead_mgmt_core/lead", "/api/v2/contacts"} <= set(urls)
    answers = {url: client.options(url) for url in urls}

    failures = {url: response.status_code for url, response in answers.items() if response.status_code >= 500}
    assert failures == {}
    for url, response in answers.items():
        body = response.json()
        assert "statusCode" in body or body.get("status") == "failure", (url, body)
