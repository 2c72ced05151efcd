"""Staff roles in the admin: three Django groups and the model permissions each holds.

- ``CSM agent``: works the records (contacts, accounts, consumers, leads and their line items,
  interactions...): views, adds and changes them; reads the catalogues they pick from, the
  users, the audit history, the journal and attachments.
- ``CSM manager``: an agent who also deletes records, exports lists as CSV and keeps the
  catalogues (product offerings, queues, channels...).
- ``CSM administrator``: a manager who also manages users, API roles, these groups, table
  access rules, system properties, choice lists and number counters.

The groups are data (seeded by migrations, edited in the admin like any group). Each model is
given a *kind* (``WORK``, ``CATALOGUE``, ``TRAIL``, ``FILES``, ``PEOPLE``, ``PLATFORM``), and
``RIGHTS`` says what each group may do with a model of that kind. An app joins the groups from
its own data migration, naming its models' kinds (docs/admin.md, "Staff roles")::

    def grant(apps, schema_editor):
        staff_rights_grant(apps, {"cases.case": WORK, "cases.casetype": CATALOGUE})

Besides Django's ``view``, ``add``, ``change`` and ``delete``, the right to export a list as
CSV is a permission of its own, ``<app>.export_<model>``, created here for every model granted it.

Pitfall: migrations run before Django creates a new model's permissions (it does so after
``migrate``), so ``staff_rights_grant`` creates the permissions of the apps it names itself.
"""

from collections.abc import Iterable

AGENT = "CSM agent"
MANAGER = "CSM manager"
ADMINISTRATOR = "CSM administrator"
STAFF_GROUPS = (AGENT, MANAGER, ADMINISTRATOR)

EXPORT = "export"

WORK = "work"  # the records staff work on
CATALOGUE = "catalogue"  # what records pick from: product offerings, queues, channels, ...
TRAIL = "trail"  # read-only history: audit, journal, archive runs
FILES = "files"  # attachments: seen by agents, removed by managers
PEOPLE = "people"  # platform users: picked as owners by agents, managed by administrators
PLATFORM = "platform"  # how the platform itself is set up

_ALL = ("view", "add", "change", "delete", EXPORT)

#: kind -> group -> actions.
RIGHTS: dict[str, dict[str, tuple[str, ...]]] = {
    WORK: {AGENT: ("view", "add", "change"), MANAGER: _ALL, ADMINISTRATOR: _ALL},
    CATALOGUE: {AGENT: ("view",), MANAGER: _ALL, ADMINISTRATOR: _ALL},
    TRAIL: {AGENT: ("view",), MANAGER: ("view", EXPORT), ADMINISTRATOR: ("view", EXPORT)},
    FILES: {AGENT: ("view",), MANAGER: ("view", "delete", EXPORT), ADMINISTRATOR: ("view", "delete", EXPORT)},
    PEOPLE: {AGENT: ("view",), MANAGER: ("view",), ADMINISTRATOR: _ALL},
    PLATFORM: {ADMINISTRATOR: _ALL},
}


def export_codename(model_name: str) -> str:
    return f"{EXPORT}_{model_name}"


def staff_rights_grant(apps, kinds: dict[str, str]) -> None:
    """Give each staff group (created if missing) the rights ``RIGHTS`` gives it on each model of
    ``kinds`` (``{"app_label.model_name": kind}``). For data migrations: ``apps`` is the
    migration's app registry. Rights already held are kept; nothing is taken away."""
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for label in sorted({key.split(".")[0] for key in kinds}):
        config = apps.get_app_config(label)
        # create_permissions skips an app config without a models module, which migration
        # states' configs never have: mark it as having one for the call.
        had = config.__dict__.get("models_module")
        config.models_module = True
        try:
            create_permissions(config, apps=apps, verbosity=0)
        finally:
            config.models_module = had
    for group_name in STAFF_GROUPS:
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for key, kind in kinds.items():
            label, model_name = key.split(".")
            model = apps.get_model(label, model_name)
            content_type = ContentType.objects.get_for_model(model)
            for action in RIGHTS[kind].get(group_name, ()):
                codename = export_codename(model._meta.model_name) if action == EXPORT else f"{action}_{model_name}"
                permission, _ = Permission.objects.get_or_create(
                    content_type=content_type,
                    codename=codename,
                    defaults={"name": f"Can {action} {model._meta.verbose_name}"},
                )
                wanted.append(permission)
        group.permissions.add(*wanted)


def may_export(user, model) -> bool:
    """Whether ``user`` may export lists of ``model`` (superusers may export everything)."""
    return user.has_perm(f"{model._meta.app_label}.{export_codename(model._meta.model_name)}")


def may_import(user, model, *, upsert: bool = False) -> bool:
    """Whether ``user`` may load a file into ``model`` in the admin's import page: its ``add``
    permission, and ``change`` too for a load that updates records (``upsert``). Tables the
    platform writes itself (``sys_read_only``) are never loaded."""
    if getattr(model, "sys_read_only", False):
        return False
    label, name = model._meta.app_label, model._meta.model_name
    return user.has_perm(f"{label}.add_{name}") and (not upsert or user.has_perm(f"{label}.change_{name}"))


def viewable_tables(user) -> set[str] | None:
    """Wire names of the registry tables whose records ``user`` may view in the admin; ``None``
    for a superuser (every table). The audit history, the journal and attachments of a table's
    records are shown to those who may view the table."""
    from csm_project.registry import all_tables

    if user.is_active and user.is_superuser:
        return None
    return {name for name, table in all_tables().items() if _may_view(user, table.model)}


def _may_view(user, model) -> bool:
    label, name = model._meta.app_label, model._meta.model_name
    return user.has_perm(f"{label}.view_{name}") or user.has_perm(f"{label}.change_{name}")


def tables_filter(tables: Iterable[str] | None, field: str) -> dict:
    """Keyword arguments narrowing a queryset's ``field`` (a wire table name) to ``tables``."""
    return {} if tables is None else {f"{field}__in": sorted(tables)}
