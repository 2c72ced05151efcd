"""The product on several real parts (docs/deployment.md): two gunicorn servers behind HAProxy,
the primary behind PgBouncer in transaction mode, a streaming replica, Redis, an S3 endpoint.

Data is made by the test process and committed (transactional tests), so the servers and the
replica see it; a test that needs the replica to have it waits until the replica has replayed
the primary's WAL position taken after the write. The replica is stopped by the last test.
"""

import hashlib
import os
import threading

import pytest
import requests
from botocore.exceptions import ClientError
from django.db import connection

from contacts.models import Account, Contact
from csm_project.api.authentication import verified_credentials
from csm_project.core.access.roles import user_grant_roles
from csm_project.core.models import SysAudit, User
from tests.contacts.factories_contacts import ContactFactory
from tests.factories import TEST_PASSWORD, UserFactory
from tests.scaleout.parts import (
    S3_BUCKET,
    Missing,
    caught_up,
    older_pgbouncer_binary,
    pgbouncer_version,
    wait_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACCOUNTS = "/api/now/table/customer_account"
TIMEOUT = 120


@pytest.fixture
def admin():
    """A staff superuser: every table's rights, and the admin site."""
    return UserFactory(user_name="scale.admin", is_superuser=True, is_staff=True)


def auth(user: User, password: str = TEST_PASSWORD) -> tuple[str, str]:
    return (user.user_name, password)


def replica_dsn(parts) -> str:
    return parts.replica.dsn(connection.settings_dict["NAME"])


def readyz(parts, app: str) -> dict:
    return requests.get(parts.app_url(app) + "/readyz", timeout=TIMEOUT).json()


def replica_status(parts, app: str) -> str:
    """How ``app`` sees the replica: ``ok (0.0s)``, ``lagging (5.1s)``, ``down``..."""
    return readyz(parts, app)["replicas"]["replica_1"]


def replica_usable_everywhere(parts) -> None:
    """Wait until every app server (one worker each) reads from the replica."""
    for app in ("app1", "app2"):
        wait_for(lambda app=app: replica_status(parts, app).startswith("ok"), f"{app} using the replica")


def replica_scans(parts, table: str) -> int:
    """Scans of ``table`` the replica has counted (its own statistics: reads it served)."""
    import psycopg

    with psycopg.connect(replica_dsn(parts), autocommit=True) as conn:
        row = conn.execute(
            "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = %s", [table]
        ).fetchone()
    return row[0] if row else 0


def on_replica(parts, sql: str) -> None:
    import psycopg

    with psycopg.connect(replica_dsn(parts), autocommit=True) as conn:
        conn.execute(sql)


def test_list_reads_are_served_by_the_replica_through_both_servers(parts, admin):
    for n in range(3):
        Account.objects.create(name=f"replica-read {n}")
    caught_up(replica_dsn(parts))
    replica_usable_everywhere(parts)
    before = replica_scans(parts, "customer_account")

    served = []
    for _ in range(6):
        response = requests.get(
            parts.url + ACCOUNTS,
            params={"sysparm_query": "nameSTARTSWITHreplica-read", "sysparm_fields": "name"},
            auth=auth(admin),
            timeout=TIMEOUT,
        )
        assert response.status_code == 200
        assert sorted(row["name"] for row in response.json()["result"]) == [f"replica-read {n}" for n in range(3)]
        assert response.headers["X-Total-Count"] == "3"  # counted on the primary, exact
        assert "csm_ryw" not in response.cookies  # reading writes nothing
        served.append(response.headers["X-Served-By"])
    assert sorted(set(served)) == ["app1", "app2"]
    # Statistics reach the view when the replica's backends flush them (within seconds).
    wait_for(lambda: replica_scans(parts, "customer_account") >= before + 6, "the replica counting the page reads")


def test_a_client_reads_its_own_write_while_the_replica_is_behind(parts, admin):
    replica_usable_everywhere(parts)
    on_replica(parts, "SELECT pg_wal_replay_pause()")
    try:
        writer = requests.Session()
        writer.auth = auth(admin)
        created = writer.post(parts.url + ACCOUNTS, json={"name": "written while behind"}, timeout=TIMEOUT)
        assert created.status_code == 201
        assert "csm_ryw" in writer.cookies  # signed: every server honours it for READ_YOUR_WRITES_SECONDS
        record = f"{ACCOUNTS}/{created.json()['result']['sys_id']}"

        # The writer reads its write on either server: its reads go to the primary.
        for app in ("app1", "app2"):
            assert writer.get(parts.app_url(app) + record, timeout=TIMEOUT).status_code == 200
        # Another client reads from the replica, which has not replayed the write (app1 allows 30 s of lag).
        assert requests.get(parts.app_url("app1") + record, auth=auth(admin), timeout=TIMEOUT).status_code == 404
        # app2 allows 4 s: once the replica is further behind, app2 skips it.
        wait_for(lambda: replica_status(parts, "app2").startswith("lagging"), "app2 skipping the replica")
        assert requests.get(parts.app_url("app2") + record, auth=auth(admin), timeout=TIMEOUT).status_code == 200
        assert readyz(parts, "app2")["status"] == "ok"  # a replica behind never makes a server unready
    finally:
        on_replica(parts, "SELECT pg_wal_replay_resume()")
    caught_up(replica_dsn(parts))
    assert requests.get(parts.app_url("app1") + record, auth=auth(admin), timeout=TIMEOUT).status_code == 200


def test_verified_credentials_are_shared_and_never_stored_in_clear(parts):
    user = UserFactory(user_name="shared.cache")
    user_grant_roles(user=user, roles=["csm_ws_integration"])
    redis = parts.redis()

    assert requests.get(parts.app_url("app1") + "/api/now/contact", auth=auth(user), timeout=TIMEOUT).status_code == 200
    hits = redis.info("stats")["keyspace_hits"]
    assert requests.get(parts.app_url("app2") + "/api/now/contact", auth=auth(user), timeout=TIMEOUT).status_code == 200
    assert redis.info("stats")["keyspace_hits"] > hits  # app2 found what app1 verified

    stored = {key: redis.get(key) for key in redis.scan_iter()}
    expected_key = verified_credentials.key(user.user_name, TEST_PASSWORD)  # the servers share our SECRET_KEY
    assert any(key.decode().endswith(expected_key) for key in stored)
    for key, value in stored.items():
        assert TEST_PASSWORD.encode() not in key and TEST_PASSWORD.encode() not in value
        assert User.objects.get(pk=user.pk).password.encode() not in value  # nor the password's hash

    # A new password counts at once on both servers, though the old one's entry is still cached.
    user.set_password("a-new-password")
    user.save()
    for app in ("app1", "app2"):
        url = parts.app_url(app) + "/api/now/contact"
        assert requests.get(url, auth=auth(user), timeout=TIMEOUT).status_code == 401
        assert requests.get(url, auth=auth(user, "a-new-password"), timeout=TIMEOUT).status_code == 200


def test_a_lock_out_counts_at_once_on_every_server(parts):
    contact = ContactFactory(user_name="locked.later")
    contact.set_password(TEST_PASSWORD)
    contact.save()
    user_grant_roles(user=contact, roles=["csm_ws_integration"])
    for app in ("app1", "app2"):
        url = parts.app_url(app) + "/api/now/contact"
        assert requests.get(url, auth=auth(contact), timeout=TIMEOUT).status_code == 200
    Contact.objects.filter(pk=contact.pk).update(locked_out=True)
    for app in ("app1", "app2"):
        url = parts.app_url(app) + "/api/now/contact"
        assert requests.get(url, auth=auth(contact), timeout=TIMEOUT).status_code == 401


def test_failed_logins_are_counted_across_both_servers(parts):
    user = UserFactory(user_name="throttled.name")
    user_grant_roles(user=user, roles=["csm_ws_integration"])
    url = "/api/now/contact"
    for app in ("app1", "app2", "app1"):  # LOGIN_THROTTLE_FAILURES=3 on the test servers
        assert requests.get(parts.app_url(app) + url, auth=auth(user, "wrong"), timeout=TIMEOUT).status_code == 401
    for app in ("app2", "app1"):
        refused = requests.get(parts.app_url(app) + url, auth=auth(user), timeout=TIMEOUT)
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
        assert refused.json()["error"]["message"] == "Rate limit exceeded"


def test_admin_sign_in_on_one_server_holds_on_the_other(parts, admin):
    browser = requests.Session()
    form = browser.get(parts.app_url("app1") + "/admin/login/", timeout=TIMEOUT)
    assert form.status_code == 200
    token = form.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    signed_in = browser.post(
        parts.app_url("app2") + "/admin/login/?next=/admin/",
        data={"username": admin.user_name, "password": TEST_PASSWORD, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/admin/"
    home = browser.get(parts.app_url("app1") + "/admin/", timeout=TIMEOUT)
    assert home.status_code == 200 and "Log out" in home.text

    # Through the load balancer, page after page, whichever server answers.
    served = set()
    for _ in range(4):
        page = browser.get(parts.url + "/admin/contacts/account/", allow_redirects=False, timeout=TIMEOUT)
        assert page.status_code == 200 and "Log out" in page.text
        served.add(page.headers["X-Served-By"])
    assert served == {"app1", "app2"}


def test_an_attachment_written_through_one_server_is_read_and_deleted_through_the_other(parts, admin):
    account = Account.objects.create(name="with a big file")
    content = os.urandom(9 * 1024 * 1024 + 123)  # above the multipart threshold: sent in two parts
    created = requests.post(
        parts.app_url("app1") + "/api/now/attachment/file",
        params={"table_name": "customer_account", "table_sys_id": account.sys_id, "file_name": "big.bin"},
        data=content,
        headers={"Content-Type": "application/octet-stream"},
        auth=auth(admin),
        timeout=TIMEOUT,
    )
    assert created.status_code == 201
    sys_id = created.json()["result"]["sys_id"]
    stored = parts.s3().list_objects_v2(Bucket=S3_BUCKET)["Contents"]
    (stored_object,) = [item for item in stored if item["Key"].endswith(sys_id)]
    assert stored_object["Size"] == len(content)

    with requests.get(
        parts.app_url("app2") + f"/api/now/attachment/{sys_id}/file", auth=auth(admin), stream=True, timeout=TIMEOUT
    ) as download:
        assert download.status_code == 200
        assert download.headers["Content-Length"] == str(len(content))
        digest = hashlib.sha256()
        for chunk in download.iter_content(1024 * 1024):
            digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(content).hexdigest() == created.json()["result"]["hash"]

    url = parts.app_url("app2") + f"/api/now/attachment/{sys_id}"
    deleted = requests.delete(url, auth=auth(admin), timeout=TIMEOUT)
    assert deleted.status_code == 204
    with pytest.raises(ClientError) as gone:
        parts.s3().head_object(Bucket=S3_BUCKET, Key=stored_object["Key"])
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_pgbouncer_in_transaction_mode_keeps_the_prepared_statements(parts, admin):
    for _ in range(8):  # past DB_PREPARE_THRESHOLD (5) on each server: the sign-in query is prepared
        url = parts.url + "/api/now/table/sys_user?sysparm_limit=1"
        response = requests.get(url, auth=auth(admin), timeout=TIMEOUT)
        assert response.status_code == 200
    database = connection.settings_dict["NAME"]
    pools = [row for row in parts.pgbouncer_admin("SHOW POOLS") if row["database"] == database]
    assert pools and all(row["pool_mode"] == "transaction" for row in pools)
    servers = [row for row in parts.pgbouncer_admin("SHOW SERVERS") if row["database"] == database]
    assert sum(int(row["prepared_statements"]) for row in servers) > 0


def test_the_waiting_limits_hold_through_pgbouncer(parts, admin):
    """Behind PgBouncer the limits come from the database, not the connection's startup options
    (which PgBouncer refuses): a write stuck behind another's row lock is a 503 with Retry-After."""
    import psycopg

    account = Account.objects.create(name="held by another writer")
    database = connection.settings_dict["NAME"]
    with psycopg.connect(parts.pooled_dsn(database)) as pooled:
        assert pooled.execute("SHOW lock_timeout").fetchone()[0] == "10s"
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}") as holder:
        holder.execute("SELECT 1 FROM customer_account WHERE sys_id = %s FOR UPDATE", [account.sys_id])
        url = f"{parts.app_url('app1')}{ACCOUNTS}/{account.sys_id}"
        response = requests.patch(url, json={"name": "waited"}, auth=auth(admin), timeout=TIMEOUT)
        holder.rollback()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.json()["error"]["message"] == "Service Unavailable"
    account.refresh_from_db()
    assert account.name == "held by another writer"


def test_an_older_pgbouncer_in_transaction_mode_serves_with_server_side_binding_off(parts, admin):
    """The configuration for PgBouncer before 1.21 (docs/deployment.md): nothing prepared."""
    try:
        binary = older_pgbouncer_binary()
    except Missing as missing:
        pytest.skip(str(missing))
    assert pgbouncer_version(binary) < (1, 21)  # the configuration under test, not the newer one
    database = connection.settings_dict["NAME"]
    parts.start_pgbouncer("pgbouncer_old", binary)
    env = parts.app_environment(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{parts.ports['pgbouncer_old']}/{database}",
        DB_SERVER_SIDE_BINDING="false",
        DATABASE_REPLICA_URLS="",
    )
    parts.start_app_server("app_old", env).wait_until_answering(parts.app_url("app_old") + "/healthz")
    base = parts.app_url("app_old")
    try:
        with requests.Session() as client:
            client.auth = auth(admin)
            created = client.post(base + ACCOUNTS, json={"name": "through 1.18"}, timeout=TIMEOUT)
            assert created.status_code == 201
            record = f"{ACCOUNTS}/{created.json()['result']['sys_id']}"
            for _ in range(8):  # past the prepare threshold: nothing is prepared, nothing goes missing
                listed = client.get(base + ACCOUNTS, params={"sysparm_query": "name=through 1.18"}, timeout=TIMEOUT)
                assert listed.status_code == 200 and len(listed.json()["result"]) == 1
            changed = client.patch(base + record, json={"name": "through 1.18, changed"}, timeout=TIMEOUT)
            assert changed.status_code == 200
            assert client.get(base + record, timeout=TIMEOUT).json()["result"]["name"] == "through 1.18, changed"
        audit = SysAudit.objects.filter(documentkey=created.json()["result"]["sys_id"], fieldname="name")
        assert sorted(audit.values_list("newvalue", "user")) == [
            ("through 1.18", admin.user_name),
            ("through 1.18, changed", admin.user_name),
        ]
    finally:
        for name in ("app_old", "pgbouncer_old"):
            parts.servers.pop(name).stop()


def test_a_replica_stopped_mid_run_costs_no_request(parts, admin):
    for n in range(5):
        Account.objects.create(name=f"through the stop {n}")
    caught_up(replica_dsn(parts))
    replica_usable_everywhere(parts)
    statuses: list[int] = []
    stop = threading.Event()

    def client() -> None:
        with requests.Session() as session:
            for _ in range(3000):  # bounded; the test stops it far sooner
                if stop.is_set():
                    return
                response = session.get(
                    parts.url + ACCOUNTS,
                    params={"sysparm_query": "nameSTARTSWITHthrough the stop", "sysparm_fields": "name"},
                    auth=auth(admin),
                    timeout=TIMEOUT,
                )
                statuses.append(response.status_code if len(response.json().get("result", [])) == 5 else -1)

    clients = [threading.Thread(target=client) for _ in range(3)]
    for thread in clients:
        thread.start()
    try:
        wait_for(lambda: len(statuses) >= 20, "requests before the stop")
        parts.replica.stop("fast")
        stopped_at = len(statuses)
        for app in ("app1", "app2"):
            wait_for(lambda app=app: replica_status(parts, app) == "down", f"{app} finding it down")
        wait_for(lambda: len(statuses) >= stopped_at + 20, "requests after the stop")
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=TIMEOUT)
    assert statuses and set(statuses) == {200}, {status: statuses.count(status) for status in set(statuses)}
