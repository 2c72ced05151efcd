from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from csm_project.local_tls import DEFAULT_HOSTS, write_local_tls


class Command(BaseCommand):
    help = (
        "Make a private certificate authority (ca.pem) and a server certificate signed by it "
        "(server.pem, server-key.pem) to serve this machine over HTTPS; clients verify the server "
        "with ca.pem. Example: manage.py make_local_tls --dir tls --host localhost --host 127.0.0.1"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dir", default="tls", help="Folder for the files (default: ./tls).")
        parser.add_argument(
            "--host",
            action="append",
            dest="hosts",
            help=f"A name or IP address the server answers on; repeat for more (default: {', '.join(DEFAULT_HOSTS)}).",
        )
        parser.add_argument(
            "--new-ca",
            action="store_true",
            help="Make a new authority even if the folder has one (clients must then trust the new ca.pem).",
        )

    def handle(self, *args, dir: str, hosts: list[str] | None, new_ca: bool, **options) -> None:
        try:
            files = write_local_tls(Path(dir), hosts, new_ca=new_ca)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Could not write the certificates: {exc}") from None
        self.stdout.write(f"{'Reused' if files.ca_reused else 'Created'} authority: {files.ca_certificate}")
        self.stdout.write(f"Server certificate: {files.server_certificate} (key {files.server_key})")
        self.stdout.write(
            self.style.SUCCESS(
                f"Serve with: gunicorn csm_project.wsgi --certfile {files.server_certificate} "
                f"--keyfile {files.server_key}; clients verify with {files.ca_certificate}"
            )
        )
