"""`EncodedQueryFilter` / `apply_encoded_query` (csm_project/api/filters.py,
csm_project/core/records/queries.py) and the `sysparm_fields` helpers (csm_project/core/records/field_paths.py)."""

from zoneinfo import ZoneInfo

import pytest
from rest_framework import generics, serializers
from rest_framework.test import APIRequestFactory, force_authenticate

from csm_project.api.filters import EncodedQueryFilter
from csm_project.core.properties import INVALID_QUERY_RETURNS_NO_ROWS, property_set
from csm_project.core.records.datetimes import user_zone
from csm_project.core.records.field_paths import (
    read_field,
    requested_fields,
    resolve_requested_fields,
    select_related_paths,
)
from csm_project.core.records.queries import QueryTooLarge, apply_encoded_query
from csm_project.registry import get_table
from tests.contacts.factories_contacts import AccountFactory, ContactFactory
from tests.eqtestapp.models import EqRecord
from tests.eqtestapp.sample import create_sample_records, sid
from tests.factories import UserFactory


class RecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = EqRecord
        fields = ["sys_id"]


class RecordList(generics.ListAPIView):
    """A bare list view on the test table: only the filter backend under test."""

    queryset = EqRecord.objects.all()
    serializer_class = RecordSerializer
    filter_backends = [EncodedQueryFilter]
    authentication_classes: list = []
    permission_classes: list = []


def labels(view, query: str | None = None, user=None) -> list[str]:
    params = {} if query is None else {"sysparm_query": query}
    request = APIRequestFactory().get("/records", params)
    if user is not None:
        force_authenticate(request, user=user)
    response = view.as_view()(request)
    assert response.status_code == 200
    return [row["sys_id"][0] for row in response.data]


@pytest.fixture
def records(db):
    create_sample_records()


def test_backend_filters_and_orders_from_sysparm_query(records):
    assert labels(RecordList, "active=true^ORDERBYDESCname") == ["4", "1"]


def test_default_order_is_creation_then_sys_id(records):
    # "3" and "4" were created at the same instant: sys_id breaks the tie
    assert labels(RecordList) == ["1", "2", "3", "4"]
    assert labels(RecordList, "") == ["1", "2", "3", "4"]


def test_view_declares_its_default_ordering_sorted_like_orderby(records):
    class ByName(RecordList):
        default_ordering = ("name",)

    class ByCountDescending(RecordList):
        default_ordering = ("-count",)

    assert labels(ByName) == ["3", "2", "1", "4"]
    assert labels(ByCountDescending) == ["2", "1", "4", "3"]


def test_view_declares_its_table(records):
    class Declared(RecordList):
        sys_table = "eq_test_record"

    assert labels(Declared, "count>4") == ["1", "2"]


def test_a_field_the_table_does_not_have_is_an_invalid_term(records):
    assert labels(RecordList, "name=acme") == ["2"]
    assert labels(RecordList, "nosuch=5") == ["1", "2", "3", "4"]


def test_invalid_terms_are_dropped_by_default(records):
    assert labels(RecordList, "bogus=1^ORname=acme") == ["2"]


def test_invalid_query_returns_no_rows_when_the_property_is_set_at_run_time(records):
    assert labels(RecordList, "bogus=1^name=acme") == ["2"]
    property_set(INVALID_QUERY_RETURNS_NO_ROWS, "true")
    assert labels(RecordList, "bogus=1^name=acme") == []
    assert labels(RecordList, "name=acme") == ["2"]
    property_set(INVALID_QUERY_RETURNS_NO_ROWS, "false")
    assert labels(RecordList, "bogus=1^name=acme") == ["2"]


def test_valid_query_costs_one_query_and_invalid_one_more_for_the_property(records, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(apply_encoded_query(EqRecord.objects.all(), "name=acme^ORDERBYaccount.name"))
    with django_assert_num_queries(2):
        list(apply_encoded_query(EqRecord.objects.all(), "bogus=acme"))


def test_get_user_id_is_the_requesting_user(records):
    user = UserFactory()
    EqRecord.objects.filter(sys_id=sid("2")).update(name=user.sys_id)
    assert labels(RecordList, "name=javascript:gs.getUserID()", user=user) == ["2"]
    assert labels(RecordList, "name=javascript:gs.getUserID()") == []


@pytest.mark.parametrize(
    "text",
    ["x" * 40_000, "name=a^" * 1_001, "nameIN" + ",".join(["a"] * 1_001)],
)
def test_oversized_query_is_refused_before_it_reaches_the_database(records, text):
    with pytest.raises(QueryTooLarge):
        apply_encoded_query(EqRecord.objects.all(), text)


@pytest.mark.django_db
def test_query_dates_use_the_callers_zone_as_display_values_do():
    assert user_zone(UserFactory(time_zone="America/New_York")) == ZoneInfo("America/New_York")
    assert user_zone(UserFactory(time_zone="PST")) == ZoneInfo("America/Los_Angeles")  # the platform's short name
    assert user_zone(UserFactory(time_zone="Mars/Olympus")) == ZoneInfo("UTC")
    assert user_zone(None) == ZoneInfo("UTC")


@pytest.mark.django_db
def test_the_backend_resolves_date_helpers_in_the_callers_zone(monkeypatch):
    from csm_project.core.records import queries as filters

    zones = []
    compile_for_real = filters.compile_query

    def recording_compile(*args, **kwargs):
        zones.append(kwargs["tz"])
        return compile_for_real(*args, **kwargs)

    monkeypatch.setattr(filters, "compile_query", recording_compile)
    list(apply_encoded_query(EqRecord.objects.all(), "", user=UserFactory(time_zone="PST")))
    assert zones == [ZoneInfo("America/Los_Angeles")]


@pytest.mark.django_db
def test_contact_api_filters_on_a_dot_walked_reference(contact_integration_client):
    acme = AccountFactory(name="Acme")
    wanted = ContactFactory(last_name="Warren", account=acme)
    ContactFactory(last_name="Warren", account=AccountFactory(name="Other"))
    response = contact_integration_client.get(
        "/api/now/contact", {"sysparm_query": "account.name=ACME^last_name=warren"}
    )
    assert response.status_code == 200
    assert [row["sys_id"] for row in response.json()["result"]] == [wanted.sys_id]


# --- sysparm_fields ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        (" , ,", None),
        ("name", ["name"]),
        (" name , email,name,,account.name", ["name", "email", "account.name"]),
    ],
)
def test_requested_fields_parses_the_comma_list(raw, expected):
    assert requested_fields(raw) == expected


@pytest.mark.django_db
def test_requested_fields_resolve_through_references_and_drop_unknown_or_hidden_names():
    table = get_table("customer_contact")
    names = ["name", "account.name", "bogus", "account.bogus", "password", "account__name", "manager.password"]
    paths = resolve_requested_fields(table, names)
    assert [path.name for path in paths] == ["name", "account.name"]
    assert select_related_paths(paths) == ["account"]


@pytest.mark.django_db
def test_read_field_reads_dot_walks_and_references_as_sys_ids():
    account = AccountFactory(name="Acme")
    with_account = ContactFactory(account=account)
    without = ContactFactory(account=None)
    paths = {
        path.name: path for path in resolve_requested_fields(get_table("customer_contact"), ["account", "account.name"])
    }
    assert read_field(with_account, paths["account"]) == account.sys_id
    assert read_field(with_account, paths["account.name"]) == "Acme"
    assert read_field(without, paths["account"]) is None
    assert read_field(without, paths["account.name"]) is None


def test_backend_documents_its_parameter_for_openapi():
    [parameter] = EncodedQueryFilter().get_schema_operation_parameters(RecordList())
    assert (parameter["name"], parameter["in"], parameter["required"]) == ("sysparm_query", "query", False)
