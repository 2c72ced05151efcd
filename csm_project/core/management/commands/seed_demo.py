import secrets
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from csm_project.core.demo import DEMO_USERS, load_users


class Command(BaseCommand):
    help = (
        "Load the demo data set (docs/demo-data.md): the demo users (admin, csm.integration, "
        "interaction.agent, lead.integrator, cc.admin, cc.agent, no.role), the external logins "
        "carl.customer and casey.consumer, and each app's demo records, so that every cURL example "
        "of the API documents works verbatim. Running it again changes nothing; existing users keep "
        "their passwords."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            help="Password for the demo users created by this run (default: one is generated and printed).",
        )

    def handle(self, *args, password: str | None, **options) -> None:
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        if len(password) < 4:
            raise CommandError("--password must have at least 4 characters.")
        with transaction.atomic():
            created = load_users(password=password, stdout=self.stdout)
            logins: list[str] = []
            for app_config in apps.get_app_configs():
                module_name = f"{app_config.name}.demo"
                if app_config.label == "core" or find_spec(module_name) is None:
                    continue
                module = import_module(module_name)
                module.load(stdout=self.stdout)
                # An app whose demo records include logins (docs/demo-data.md) gives them the
                # demo users' password.
                load_logins = getattr(module, "load_logins", None)
                if load_logins is not None:
                    created += load_logins(password=password, stdout=self.stdout)
                    logins += getattr(module, "DEMO_LOGINS", ())
        if created and generated:
            names = ", ".join([*(user for user, *_ in DEMO_USERS), *logins])
            self.stdout.write(self.style.WARNING(f"Demo users ({names}) have the password: {password}"))
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
