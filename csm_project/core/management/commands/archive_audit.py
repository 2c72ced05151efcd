from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from csm_project.core.access.actor import acting_as
from csm_project.core.models import User
from csm_project.core.sql.audit import audit_reason
from csm_project.core.sql.audit_archive import BATCH_ROWS, audit_archive, retention_cutoff


class Command(BaseCommand):
    help = (
        "Move the audit rows older than the retention (AUDIT_RETENTION_DAYS, or --before) to a JSON-lines "
        "file and delete them, a batch per transaction; the run is recorded in sys_audit_archive "
        "(docs/audit.md, Retention)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--before",
            help="Archive rows created before this UTC date or date-time (YYYY-MM-DD[ HH:MM:SS]) "
            "instead of the retention setting.",
        )
        parser.add_argument(
            "--output",
            help="The archive file (must not exist; .gz compresses). Default: a new file in AUDIT_ARCHIVE_DIR.",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_ROWS, help="Rows per transaction.")
        parser.add_argument("--as-user", help="User name recorded as the archive's author (default: system).")

    def handle(self, *args, before, output, batch_size, as_user, verbosity, **options) -> None:
        cutoff = self._cutoff(before)
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        actor = None
        if as_user:
            actor = User.objects.filter(user_name=as_user).first()
            if actor is None:
                raise CommandError(f"No user named {as_user!r}.")
        path = Path(output) if output else self._default_path(cutoff)
        if path.exists():
            raise CommandError(f"{path} exists: an archive is never written over.")

        def progress(rows: int) -> None:
            if verbosity > 1:
                self.stdout.write(f"{rows} rows archived")

        with acting_as(actor), audit_reason("archive_audit"):
            run = audit_archive(cutoff=cutoff, path=path, batch_rows=batch_size, progress=progress)
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Archived {run.rows} audit rows created before {cutoff:%Y-%m-%d %H:%M:%S} UTC to {path}."
                )
            )

    @staticmethod
    def _cutoff(before: str | None) -> datetime:
        if before:
            for shape in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
                try:
                    return datetime.strptime(before, shape).replace(tzinfo=UTC)
                except ValueError:
                    continue
            raise CommandError(f"--before {before!r} is not YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.")
        days = settings.AUDIT_RETENTION_DAYS
        if not days:
            raise CommandError("No retention set: give --before, or set AUDIT_RETENTION_DAYS (days to keep).")
        return retention_cutoff(days)

    @staticmethod
    def _default_path(cutoff: datetime) -> Path:
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        return Path(settings.AUDIT_ARCHIVE_DIR) / f"sys_audit_before_{cutoff:%Y%m%dT%H%M%S}_{stamp}.jsonl.gz"
