"""The real parts of a scale-out deployment, started on this machine for tests and benchmarks
(docs/deployment.md): a PostgreSQL streaming replica of the local server, Redis, PgBouncer in
transaction mode, an S3 endpoint (moto), gunicorn app servers and HAProxy in front of them.

Each part listens on a free loopback port, is waited for by a condition (it answers), and is
stopped, with everything it wrote (the replica's data directory, configuration files) removed,
by ``Parts.stop()``. What they need from the OS:

- the PostgreSQL server binaries (``pg_basebackup``, ``pg_ctl``) of the primary's version, and a
  primary that accepts replication connections from 127.0.0.1: ``allow_replication()`` adds one
  ``host replication`` line to its ``pg_hba.conf`` (idempotent, marked, loopback only) when it
  has none, and reloads it;
- ``redis-server``, ``haproxy`` (Debian packages);
- PgBouncer 1.21 or newer (prepared statements in transaction mode): ``$CSM_PGBOUNCER``, else
  the one ``.ci/scaleout-tools`` builds, else ``pgbouncer`` on the ``PATH`` if new enough;
- ``moto_server`` (requirements-dev.txt).

As root (CI), the replica and PgBouncer run as the ``postgres`` OS user, which PostgreSQL and
PgBouncer require. ``Missing`` says which part could not be found.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
from psycopg import sql

from tests.servers import BIN, Server, clean_environment, free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
TOOLS_DIR = Path(os.environ.get("CSM_TOOLS_DIR", "/var/cache/csm-ci"))
START_LIMIT = 180.0
HBA_MARK = "# csm scale-out tests: streaming replicas on loopback"
S3_BUCKET = "csm-attachments"
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "scaleout-tests", "AWS_SECRET_ACCESS_KEY": "scaleout-tests-secret"}
SECRET_KEY = "scale-out-test-servers-shared-secret-key"
#: The settings' defaults (DB_LOCK_TIMEOUT, DB_STATEMENT_TIMEOUT), held by the database behind PgBouncer.
WAITING_LIMITS = {"lock_timeout": "10s", "statement_timeout": "30s"}


class Missing(RuntimeError):
    """A part this machine cannot run (a binary missing, no rights)."""


def wait_for(condition, what: str, limit: float = START_LIMIT, server: Server | None = None):
    """Poll ``condition()`` until it returns something true (returned) or ``limit`` seconds pass;
    fail at once if ``server`` has exited."""
    deadline = time.monotonic() + limit
    last = "no attempt"
    while time.monotonic() < deadline:
        if server is not None and server.process.poll() is not None:
            raise AssertionError(f"{what} exited with {server.process.returncode}:\n{server.output()}")
        try:
            result = condition()
        except Exception as problem:  # not ready yet: refused, starting up
            last = repr(problem)
        else:
            if result:
                return result
            last = f"got {result!r}"
        time.sleep(0.1)  # pacing between polls, not a wait for the part
    raise AssertionError(f"{what} not within {limit}s ({last})")


def _as_postgres() -> list[str]:
    """The prefix that runs a command as the PostgreSQL OS user when we are root."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _give_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        for place in [path, *path.rglob("*")]:
            os.chown(place, entry.pw_uid, entry.pw_gid)


def _shared_directory(prefix: str) -> Path:
    """A temporary directory the parts running as ``postgres`` can enter too."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def _run(command: list[str], what: str, **kwargs) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, **kwargs)
    if result.returncode != 0:
        raise AssertionError(f"{what} failed ({result.returncode}): {result.stdout}\n{result.stderr}")
    return result.stdout


def primary_dsn(database: str = "postgres", port: int = 5432) -> str:
    return f"postgresql://postgres@127.0.0.1:{port}/{database}"


def allow_replication(port: int = 5432) -> None:
    """Let ``postgres`` open replication connections from 127.0.0.1 with the primary's trust
    auth, if no ``host replication`` line does yet. Touches nothing else; safe to repeat."""
    with psycopg.connect(primary_dsn(port=port), autocommit=True) as conn:
        hba = Path(conn.execute("SHOW hba_file").fetchone()[0])
        lines = hba.read_text().splitlines()
        if any(re.match(r"\s*host\s+replication\s+(all|postgres)\s+127\.0\.0\.1/32\s+trust", line) for line in lines):
            return
        if not os.access(hba, os.W_OK):
            raise Missing(f"{hba} has no replication line for 127.0.0.1 and is not writable here")
        with hba.open("a") as handle:
            handle.write(f"\n{HBA_MARK}\nhost replication postgres 127.0.0.1/32 trust\n")
        conn.execute("SELECT pg_reload_conf()")


def _binary(name: str, *candidates: Path) -> str:
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise Missing(f"{name} is not installed (.ci/scaleout-tools installs it)")
    return found


def pgbouncer_version(binary: str) -> tuple[int, int]:
    version = _run([binary, "--version"], "pgbouncer --version").split()[1]
    return tuple(int(part) for part in version.split(".")[:2])


def pgbouncer_binary() -> str:
    """A PgBouncer that keeps prepared statements in transaction mode (1.21 or newer)."""
    candidates = [Path(os.environ["CSM_PGBOUNCER"])] if os.environ.get("CSM_PGBOUNCER") else []
    candidates.append(TOOLS_DIR / "pgbouncer" / "bin" / "pgbouncer")
    binary = _binary("pgbouncer", *candidates)
    if pgbouncer_version(binary) < (1, 21):
        raise Missing(f"{binary} is PgBouncer {pgbouncer_version(binary)}; prepared statements need 1.21")
    return binary


def older_pgbouncer_binary() -> str:
    """The operating system's own PgBouncer (Debian bookworm's is 1.18: no prepared statements in
    transaction mode), installed or unpacked from its package by ``.ci/scaleout-tools``."""
    return _binary(
        "pgbouncer-debian", Path("/usr/sbin/pgbouncer"), TOOLS_DIR / "pgbouncer-debian" / "usr/sbin/pgbouncer"
    )


@dataclass
class Replica:
    """A streaming replica of the local primary: ``pg_basebackup`` into a temporary directory,
    started with ``pg_ctl`` on its own port."""

    primary_port: int = 5432
    port: int = 0
    root: Path | None = None
    running: bool = False

    @property
    def data(self) -> Path:
        return self.root / "data"

    def start(self) -> Replica:
        for tool in ("pg_basebackup", "pg_ctl"):
            if not (PG_BIN / tool).exists():
                raise Missing(f"{PG_BIN / tool} is not installed")
        allow_replication(self.primary_port)
        self.root = Path(tempfile.mkdtemp(prefix="csm-replica-"))
        self.root.chmod(0o700)
        _give_to_postgres(self.root)
        self.port = self.port or free_port()
        _run(
            [*_as_postgres(), str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary_port)]
            + ["-U", "postgres", "-D", str(self.data), "-X", "stream", "-R", "-c", "fast", "--no-sync"],
            "pg_basebackup",
        )
        # The copy has the primary's data but not its configuration (Debian keeps that in /etc).
        (self.data / "postgresql.conf").write_text(
            f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n"
            "max_connections = 200\nshared_buffers = 32MB\nhot_standby = on\nhot_standby_feedback = on\n"
            "fsync = off\nsynchronous_commit = off\nssl = off\nlogging_collector = off\n"
        )
        (self.data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        for name in ("postgresql.conf", "pg_hba.conf"):
            _give_to_postgres(self.data / name)
        self.running = True
        _run(
            [*_as_postgres(), str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-w"]
            + ["-t", str(int(START_LIMIT)), "start"],
            "pg_ctl start (replica)",
        )
        return self

    def dsn(self, database: str = "postgres") -> str:
        return primary_dsn(database, self.port)

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            self.running = False
            _run(
                [*_as_postgres(), str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"],
                "pg_ctl stop (replica)",
            )

    def remove(self) -> None:
        self.stop("immediate")  # its data is thrown away: no shutdown checkpoint
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def log(self) -> str:
        return (self.root / "log").read_text(errors="replace") if self.root else ""


def caught_up(replica_dsn: str, primary: str = primary_dsn()) -> None:
    """Wait until the replica has replayed everything the primary has flushed now."""
    with psycopg.connect(primary, autocommit=True) as conn:
        target = conn.execute("SELECT pg_wal_lsn_diff(pg_current_wal_flush_lsn(), '0/0')").fetchone()[0]

    def replayed() -> bool:
        with psycopg.connect(replica_dsn, autocommit=True, connect_timeout=5) as conn:
            return conn.execute("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')").fetchone()[0] >= target

    wait_for(replayed, "the replica replaying the primary's last write")


@dataclass
class Parts:
    """Every part, for one test database. ``start()`` brings them up; ``stop()`` ends them all."""

    database: str
    workdir: Path = field(default_factory=lambda: _shared_directory("csm-scaleout-"))
    replica: Replica = field(default_factory=Replica)
    servers: dict[str, Server] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    app_servers: int = 2
    secret_key: str = SECRET_KEY
    # Environment of every app server, and of one server by name ({"app2": {...}}).
    app_settings: dict[str, str] = field(default_factory=dict)
    app_overrides: dict[str, dict[str, str]] = field(default_factory=dict)

    # --- the parts one by one ------------------------------------------------------------

    def start_redis(self) -> None:
        binary = _binary("redis-server")
        port = self.ports["redis"] = free_port()
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.servers["redis"] = Server(command, os.environ.copy(), self.workdir / "redis.log")
        wait_for(lambda: self.redis().ping(), "redis-server", server=self.servers["redis"])

    def redis(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.ports["redis"], socket_timeout=30)

    def start_pgbouncer(self, name: str = "pgbouncer", binary: str | None = None) -> None:
        """PgBouncer in transaction mode in front of the primary, as ``name``; with
        ``max_prepared_statements`` when the binary is 1.21 or newer (the default one is)."""
        binary = binary or pgbouncer_binary()
        prepared = pgbouncer_version(binary) >= (1, 21)
        port = self.ports[name] = free_port()
        home = self.workdir / name
        home.mkdir()
        (home / "users.txt").write_text('"postgres" ""\n')
        (home / "pgbouncer.ini").write_text(
            "[databases]\n* = host=127.0.0.1 port=5432\n"
            f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {home / 'users.txt'}\nadmin_users = postgres\n"
            "pool_mode = transaction\ndefault_pool_size = 8\nmax_client_conn = 400\n"
            + ("max_prepared_statements = 200\n" if prepared else "")
            + f"logfile = {home / 'pgbouncer.log'}\npidfile = {home / 'pgbouncer.pid'}\n"
        )
        _give_to_postgres(home)
        # The app servers' waiting limits on the database, as docs/deployment.md says for a
        # transaction pool (which refuses them as startup options).
        with psycopg.connect(primary_dsn(self.database), autocommit=True) as conn:
            for name_, value in WAITING_LIMITS.items():
                conn.execute(
                    sql.SQL("ALTER DATABASE {} SET {} = {}").format(
                        sql.Identifier(self.database), sql.Identifier(name_), sql.Literal(value)
                    )
                )
        user = ["-u", "postgres"] if os.geteuid() == 0 else []
        self.servers[name] = Server([binary, *user, str(home / "pgbouncer.ini")], os.environ.copy(), home / "out.log")
        wait_for(
            lambda: psycopg.connect(primary_dsn(self.database, port), connect_timeout=5).close() or True,
            name,
            server=self.servers[name],
        )

    def pooled_dsn(self, database: str | None = None) -> str:
        return primary_dsn(database or self.database, self.ports["pgbouncer"])

    def pgbouncer_admin(self, command: str) -> list[dict]:
        """A PgBouncer console command (SHOW SERVERS...), its rows as dictionaries."""
        conn = psycopg.connect(primary_dsn("pgbouncer", self.ports["pgbouncer"]), autocommit=True)
        try:
            result = conn.pgconn.exec_(command.encode())
            names = [result.fname(i).decode() for i in range(result.nfields)]
            return [
                {
                    name: (value.decode() if (value := result.get_value(row, i)) is not None else None)
                    for i, name in enumerate(names)
                }
                for row in range(result.ntuples)
            ]
        finally:
            conn.close()

    def start_s3(self) -> None:
        port = self.ports["s3"] = free_port()
        self.servers["s3"] = Server(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], os.environ.copy(), self.workdir / "moto.log"
        )
        self.servers["s3"].wait_until_answering(self.s3_url() + "/moto-api/")
        self.s3().create_bucket(Bucket=S3_BUCKET)

    def s3_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def s3(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.s3_url(),
            region_name="us-east-1",
            aws_access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def app_environment(self, **overrides: str) -> dict:
        """The app servers' environment: every part started, then ``app_settings``, ``overrides``."""
        chosen = {
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{self.database}",
            "LOGIN_THROTTLE_FAILURES": "3",
            "LOGIN_THROTTLE_WINDOW": "600",
            "WEB_CONCURRENCY": "2",
            "LOG_FORMAT": "text",
        }
        if "pgbouncer" in self.ports:
            # Through PgBouncer in transaction mode, configured as docs/deployment.md says.
            chosen["DATABASE_URL"] = self.pooled_dsn().replace("postgresql://", "postgres://")
            chosen["DB_SERVER_SIDE_CURSORS"] = "false"
            chosen["DB_TIMEOUTS_ON_CONNECT"] = "false"
        if self.replica.port:  # chosen before its copy is taken: servers may start meanwhile
            chosen["DATABASE_REPLICA_URLS"] = self.replica.dsn(self.database).replace("postgresql://", "postgres://")
            # Generous on a busy 2-core machine: a replica is still used while this far behind.
            chosen["DATABASE_REPLICA_MAX_LAG"] = chosen["READ_YOUR_WRITES_SECONDS"] = "30"
        if "redis" in self.ports:
            chosen["CACHE_URL"] = f"redis://127.0.0.1:{self.ports['redis']}/0"
        if "s3" in self.ports:
            chosen.update(ATTACHMENT_S3_BUCKET=S3_BUCKET, ATTACHMENT_S3_ENDPOINT_URL=self.s3_url(), **S3_CREDENTIALS)
            chosen["ATTACHMENT_S3_REGION"] = "us-east-1"
        return clean_environment(**{**chosen, **self.app_settings, **overrides})

    def start_app_server(self, name: str, env: dict) -> Server:
        """gunicorn as ``name`` on a free port (not waited for)."""
        port = self.ports[name] = free_port()
        command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "csm_project.wsgi", "--bind"]
        command += [f"127.0.0.1:{port}", "--access-logfile", str(self.workdir / f"{name}.access.log")]
        self.servers[name] = Server(command, env, self.workdir / f"{name}.log")
        return self.servers[name]

    def start_app_servers(self) -> None:
        names = [f"app{number}" for number in range(1, self.app_servers + 1)]
        started = [
            self.start_app_server(name, self.app_environment(**self.app_overrides.get(name, {}))) for name in names
        ]
        for server, name in zip(started, names, strict=True):
            server.wait_until_answering(self.app_url(name) + "/healthz")

    def app_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start_haproxy(self) -> None:
        binary = _binary("haproxy")
        port = self.ports["haproxy"] = free_port()
        names = [f"app{n}" for n in range(1, self.app_servers + 1)]
        servers = "".join(f"  server {name} 127.0.0.1:{self.ports[name]} check\n" for name in names)
        config = self.workdir / "haproxy.cfg"
        config.write_text(
            "global\n  maxconn 512\n"
            "defaults\n  mode http\n  timeout connect 10s\n  timeout client 120s\n  timeout server 120s\n"
            # A busy server answers its health check late, not never: only a server that stays
            # silent is taken out (a check queued behind requests on a sync worker waits its turn).
            "  timeout check 30s\n  default-server inter 2s fall 5 rise 1\n"
            f"frontend web\n  bind 127.0.0.1:{port}\n  default_backend app\n"
            "backend app\n  balance roundrobin\n  option httpchk GET /healthz\n"
            "  http-response set-header X-Served-By %s\n" + servers
        )
        command = [binary, "-db", "-f", str(config)]
        self.servers["haproxy"] = Server(command, os.environ.copy(), self.workdir / "haproxy.log")
        wait_for(
            lambda: requests.get(self.url + "/healthz", timeout=30).status_code == 200,
            "haproxy",
            server=self.servers["haproxy"],
        )

    @property
    def url(self) -> str:
        """The load balancer's address."""
        return f"http://127.0.0.1:{self.ports['haproxy']}"

    # --- all at once -----------------------------------------------------------------------

    def start(self, *, with_app_servers: bool = True) -> Parts:
        """Every part; the replica's copy is taken meanwhile (the app servers find it when it is up)."""
        self.replica.port = free_port()
        copying = ThreadPoolExecutor(max_workers=1).submit(self.replica.start)
        problem: BaseException | None = None
        try:
            self.start_redis()
            self.start_pgbouncer()
            self.start_s3()
            if with_app_servers:
                self.start_app_servers()
                self.start_haproxy()
        except BaseException as error:
            problem = error
        try:
            copying.result()
        except BaseException as error:
            problem = problem or error
        if problem is not None:
            self.stop()
            raise problem
        return self

    def stop(self) -> None:
        for name in reversed(list(self.servers)):
            self.servers.pop(name).stop()
        self.replica.remove()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def logs(self) -> str:
        """Every part's output, for a failing test's report."""
        parts = [f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}" for path in self.workdir.rglob("*.log")]
        return "\n".join(parts) + f"\n--- replica\n{self.replica.log()[-4000:]}"


if __name__ == "__main__":
    # Start the parts without app servers for a database and keep them until Enter (development).
    parts = Parts(database=sys.argv[1] if len(sys.argv) > 1 else "postgres").start(with_app_servers=False)
    print(f"replica {parts.replica.dsn()}  pgbouncer {parts.pooled_dsn()}")
    print(f"redis port {parts.ports['redis']}  s3 {parts.s3_url()}")
    try:
        input("Enter stops them. ")
    finally:
        parts.stop()
