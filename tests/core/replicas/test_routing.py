"""Which database a read goes to (csm_project/core/replicas): the router's decisions, the
read-your-writes cookie, the health view's lag arithmetic and the replicas' configuration.
The same behaviour against a real streaming replica: tests/scaleout/."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from contacts.models import Account
from csm_project.core.replicas import routing
from csm_project.core.replicas.configuration import REPLICA_ENGINE, replica_databases
from csm_project.core.replicas.health import DOWN, OK, ReplicaMonitor, ReplicaState, monitor
from csm_project.core.replicas.middleware import COOKIE, ReadRoutingMiddleware

router = routing.ReplicaRouter()


@pytest.fixture
def replicas(settings, monkeypatch):
    """Two configured replicas whose health the test decides, outside the test's transaction."""
    monkeypatch.setattr(routing, "in_primary_transaction", lambda: False)
    settings.DATABASE_REPLICAS = ("replica_1", "replica_2")
    usable = {"replica_1": True, "replica_2": False}
    monkeypatch.setattr(monitor, "usable", lambda alias: usable.get(alias, False))
    monkeypatch.setattr(monitor, "choose", lambda: next((alias for alias, ok in usable.items() if ok), None))
    return usable


def test_reads_outside_a_request_go_to_the_primary(replicas):
    assert router.db_for_read(Account) == "default"


def test_reads_of_a_read_only_request_go_to_a_usable_replica(replicas):
    with routing.read_scope():
        assert router.db_for_read(Account) == "replica_1"
        assert router.db_for_read(Account) == "replica_1"


def test_once_a_request_writes_its_reads_go_to_the_primary(replicas):
    with routing.read_scope() as scope:
        assert router.db_for_read(Account) == "replica_1"
        assert router.db_for_write(Account) == "default"
        assert scope.wrote
        assert router.db_for_read(Account) == "default"


def test_a_scope_for_the_primary_and_sign_in_reads_never_use_a_replica(replicas):
    with routing.read_scope(primary=True):
        assert router.db_for_read(Account) == "default"
    with routing.read_scope():
        with routing.primary_reads():
            assert router.db_for_read(Account) == "default"
        assert router.db_for_read(Account) == "replica_1"


def test_reads_inside_a_transaction_go_to_the_primary(replicas, monkeypatch, db):
    monkeypatch.setattr(routing, "in_primary_transaction", lambda: routing.connections["default"].in_atomic_block)
    with routing.read_scope():
        with transaction.atomic():
            assert router.db_for_read(Account) == "default"


def test_without_a_usable_replica_reads_go_to_the_primary_for_the_rest_of_the_request(replicas):
    with routing.read_scope():
        assert router.db_for_read(Account) == "replica_1"
        replicas["replica_1"] = False  # it failed, or fell behind
        assert router.db_for_read(Account) == "default"
        replicas["replica_1"] = True
        assert router.db_for_read(Account) == "default"  # never back in time within one request
    replicas["replica_1"] = False
    with routing.read_scope():
        assert router.db_for_read(Account) == "default"


def test_replicas_take_no_migrations_and_records_relate_across_them(replicas):
    assert router.allow_migrate("replica_1", "contacts") is False
    assert router.allow_migrate("default", "contacts") is None
    read, written = Account(name="a"), Account(name="b")
    read._state.db, written._state.db = "replica_1", "default"
    assert router.allow_relation(read, written) is True


# --- the middleware and its cookie ----------------------------------------------------------------


def scope_seen(request, *, write: bool = False):
    """Run ``request`` through the middleware; the read scope the view saw, and the answer."""
    seen = {}

    def view(request):
        seen["scope"] = routing._scope.get()
        seen["primary"] = router.db_for_read(Account) == "default"
        if write:
            router.db_for_write(Account)
        return HttpResponse("ok")

    response = ReadRoutingMiddleware(view)(request)
    return seen, response


def test_a_write_sets_a_signed_cookie_that_sends_the_clients_reads_to_the_primary(replicas, settings):
    factory = RequestFactory()
    seen, response = scope_seen(factory.get("/api/now/contact"))
    assert not seen["primary"] and COOKIE not in response.cookies

    seen, response = scope_seen(factory.post("/api/now/contact"), write=True)
    assert seen["primary"]  # a request that may write reads the primary throughout
    cookie = response.cookies[COOKIE]
    assert cookie["max-age"] == settings.READ_YOUR_WRITES_SECONDS and cookie["httponly"]

    after = factory.get("/api/now/contact")
    after.COOKIES[COOKIE] = cookie.value
    assert scope_seen(after)[0]["primary"]

    forged = factory.get("/api/now/contact")
    forged.COOKIES[COOKIE] = "1:forged:signature"
    assert not scope_seen(forged)[0]["primary"]


def test_the_cookie_lapses_after_the_window(replicas, settings, monkeypatch):
    import django.core.signing

    _, response = scope_seen(RequestFactory().post("/api/now/contact"), write=True)
    later = RequestFactory().get("/api/now/contact")
    later.COOKIES[COOKIE] = response.cookies[COOKIE].value
    real_time = django.core.signing.time.time
    monkeypatch.setattr(django.core.signing.time, "time", lambda: real_time() + settings.READ_YOUR_WRITES_SECONDS + 1)
    assert not scope_seen(later)[0]["primary"]


def test_a_session_request_reads_the_primary(replicas, settings):
    request = RequestFactory().get("/admin/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "anything"
    assert scope_seen(request)[0]["primary"]


# --- the health view's arithmetic ----------------------------------------------------------------


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def placed_monitor(settings, samples, replayed, in_recovery=True):
    settings.DATABASE_REPLICAS = ("replica_1",)
    settings.DATABASE_REPLICA_MAX_LAG = 2
    checker = ReplicaMonitor()
    checker.clock = Clock()
    checker._pid = __import__("os").getpid()  # no thread: the test places the replica itself
    checker._samples.extend(samples)
    checker._states["replica_1"] = checker._placed("replica_1", in_recovery, replayed)
    return checker


def test_a_replica_is_fresh_as_of_the_newest_primary_position_it_has_replayed(settings):
    checker = placed_monitor(settings, [(97.0, 100), (98.5, 200), (99.9, 300)], replayed=250)
    assert checker._states["replica_1"] == ReplicaState(status=OK, fresh_as_of=98.5)
    assert checker.usable("replica_1")  # 1.5 s behind at most
    checker.clock.now = 101.0
    assert not checker.usable("replica_1")  # 2.5 s: past the bound, skipped
    assert checker.summary()["replica_1"].startswith("lagging")


def test_a_caught_up_replica_on_an_idle_primary_is_not_behind(settings):
    checker = placed_monitor(settings, [(97.0, 500), (98.0, 500), (99.9, 500)], replayed=500)
    assert checker._states["replica_1"].fresh_as_of == 99.9 and checker.usable("replica_1")


def test_a_promoted_or_unreachable_replica_is_down(settings):
    checker = placed_monitor(settings, [(99.0, 100)], replayed=100, in_recovery=False)
    assert checker._states["replica_1"].status == DOWN and not checker.usable("replica_1")
    checker._states["replica_1"] = ReplicaState(status=OK, fresh_as_of=99.9)
    checker.report_down("replica_1", OSError("refused"))
    assert not checker.usable("replica_1") and checker.summary() == {"replica_1": "down"}


# --- configuration -------------------------------------------------------------------------------


def test_each_replica_url_is_an_alias_on_the_replica_engine_with_the_primarys_options():
    primary = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "csm",
        "HOST": "primary",
        "PORT": 5432,
        "USER": "app",
        "PASSWORD": "secret",
        "OPTIONS": {"pool": {"max_size": 20}, "server_side_binding": True},
        "CONN_MAX_AGE": 0,
    }
    replicas = replica_databases(primary, ["postgres://reader:pw@replica-a:6432/csm", "postgres://replica-b/csm"])
    assert list(replicas) == ["replica_1", "replica_2"]
    first = replicas["replica_1"]
    assert (first["ENGINE"], first["HOST"], first["PORT"], first["USER"]) == (
        REPLICA_ENGINE,
        "replica-a",
        6432,
        "reader",
    )
    assert first["OPTIONS"] == primary["OPTIONS"] and first["OPTIONS"] is not primary["OPTIONS"]
    assert first["TEST"] == {"MIRROR": "default"}
    assert replica_databases(primary, []) == {}


def test_replicas_need_postgresql():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3", "OPTIONS": {}}
    with pytest.raises(ImproperlyConfigured):
        replica_databases(sqlite, ["postgres://replica/csm"])
    postgres = {**sqlite, "ENGINE": "django.db.backends.postgresql"}
    with pytest.raises(ImproperlyConfigured):
        replica_databases(postgres, ["sqlite:///elsewhere.sqlite3"])
