"""Platform models every app builds on: the record base, users and roles, number counters,
the journal (work notes), system properties and choice lists."""

import re
import uuid
from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Lower
from django.utils import timezone

from csm_project.core.access.actor import current_actor_name
from csm_project.core.access.role_names import ADMIN

SYSTEM_FIELDS = (
    "sys_id",
    "sys_created_on",
    "sys_created_by",
    "sys_updated_on",
    "sys_updated_by",
    "sys_mod_count",
    "sys_domain",
    "sys_domain_path",
    "sys_class_name",
    "sys_tags",
)


_SYS_ID = re.compile(r"[0-9a-f]{32}")


def new_sys_id() -> str:
    """32 lowercase hex characters, random, never reused."""
    return uuid.uuid4().hex


def is_sys_id(value: object) -> bool:
    """Whether ``value`` has the sys_id form (docs/platform.md). Check ids from clients with it
    before any query: anything else names no record, and odd input (a NUL character, which
    PostgreSQL refuses, or a 10 kB string) then never reaches the database."""
    return isinstance(value, str) and _SYS_ID.fullmatch(value) is not None


class SysRecord(models.Model):
    """The system fields every stored record has (docs/platform.md).

    Subclasses declare ``sys_table`` (the wire table name) and ``sys_display_field`` (the
    field shown for a reference to them). ``save()`` stamps who and when, stores empty
    strings as NULL (as the platform does), and on update increments ``sys_mod_count`` in
    the database (``F() + 1``), so two concurrent saves both count. After an update the
    in-memory ``sys_mod_count`` is dropped and re-read on next access.
    """

    sys_table: ClassVar[str] = ""
    sys_display_field: ClassVar[str] = "name"

    sys_id = models.CharField(primary_key=True, max_length=32, default=new_sys_id, editable=False)
    sys_created_on = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    sys_created_by = models.CharField(max_length=100, blank=True, editable=False)
    sys_updated_on = models.DateTimeField(default=timezone.now, editable=False)
    sys_updated_by = models.CharField(max_length=100, blank=True, editable=False)
    sys_mod_count = models.PositiveIntegerField(default=0, editable=False)
    sys_domain = models.CharField(max_length=32, default="global", editable=False)
    sys_domain_path = models.CharField(max_length=255, default="/", editable=False)
    sys_class_name = models.CharField(max_length=80, blank=True, editable=False)
    sys_tags = models.TextField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        actor = current_actor_name()
        now = timezone.now()
        self._store_empty_strings_as_null()
        if self._state.adding:
            self.sys_created_by = self.sys_created_by or actor
            self.sys_updated_by = self.sys_updated_by or actor
            self.sys_class_name = self.sys_class_name or self.sys_table
            super().save(*args, **kwargs)
            return
        self.sys_updated_on = now
        self.sys_updated_by = actor
        self.sys_mod_count = F("sys_mod_count") + 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {
                "sys_updated_on",
                "sys_updated_by",
                "sys_mod_count",
            }
        super().save(*args, **kwargs)
        # The database holds the incremented value; drop the expression so the next read
        # of the attribute loads it (Django treats a missing attribute as deferred).
        self.__dict__.pop("sys_mod_count", None)

    def _store_empty_strings_as_null(self) -> None:
        for field in self._meta.concrete_fields:
            if field.null and isinstance(field, (models.CharField, models.TextField)):
                if getattr(self, field.attname) == "":
                    setattr(self, field.attname, None)

    @property
    def display_value(self) -> str:
        return str(getattr(self, self.sys_display_field, "") or "")


class NumberedRecord(SysRecord):
    """A record with a human number: ``NUMBER_PREFIX`` + zero-padded digits (docs/platform.md).

    The number is drawn on insert from the prefix's sequence (PostgreSQL) or counter row
    (SQLite) (``csm_project.core.sql.numbers``); concurrent inserts do not wait on each other for
    it, so creation order follows number order only roughly (the platform's does not promise it
    either). Creation time is stamped after the draw.
    """

    NUMBER_PREFIX: ClassVar[str] = ""

    number = models.CharField(max_length=40, unique=True, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and not self.number:
            from csm_project.core.sql.numbers import next_number  # numbers imports these models

            self.number = next_number(self.NUMBER_PREFIX, table=self.sys_table)
            self.sys_created_on = self.sys_updated_on = timezone.now()
        super().save(*args, **kwargs)


class Role(SysRecord):
    """A role as named on the platform (docs/platform.md), granted to users."""

    sys_table = "sys_user_role"

    # No control character: a user's role names are read joined by one (ROLE_NAME_SEPARATOR).
    name = models.CharField(
        max_length=100,
        unique=True,
        validators=[RegexValidator(r"^[^\x00-\x1f\x7f]+\Z", "A role name cannot hold control characters.")],
    )
    description = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "sys_user_role"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, user_name: str, password: str | None = None, **fields) -> "User":
        if not user_name:
            raise ValueError("A user needs a user name.")
        user = self.model(user_name=user_name, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, user_name: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(user_name, password, **fields)

    def get_by_natural_key(self, user_name: str) -> "User":
        """The user a login names: user names match without regard to case (as the unique
        constraint does), compared in SQL on both sides so the database's own case rules apply.
        A name no stored user can have (a NUL character, which PostgreSQL refuses) names nobody.
        The subtype tables that can lock a login are joined, so checking the lock costs no query.
        """
        if not isinstance(user_name, str) or "\x00" in user_name:
            raise self.model.DoesNotExist
        return (
            self.select_related(*lockable_subtypes())
            .alias(user_name_lower=Lower("user_name"))
            .get(user_name_lower=Lower(Value(user_name)))
        )


def display_name(first_name: str | None, last_name: str | None) -> str | None:
    """A user's ``name`` when none is given: first + last name."""
    return " ".join(part for part in (first_name, last_name) if part) or None


class User(SysRecord, AbstractBaseUser, PermissionsMixin):
    """A platform user (``sys_user``). Contacts (``customer_contact``) extend this table."""

    sys_table = "sys_user"
    #: Changes every login: not history anyone asks for. A password hash is never history.
    sys_audit_exclude = ("last_login", "user_password")
    #: The platform's ``user_password``: the hash Django keeps in ``password`` (docs/access.md).
    sys_password_fields: ClassVar[dict[str, str]] = {"user_password": "password"}
    #: No API shows them, but who was made staff or superuser, and by whom, is history.
    sys_audit_include = ("is_staff", "is_superuser")

    user_name = models.CharField(max_length=100, unique=True)
    first_name = models.CharField(max_length=100, null=True, blank=True)
    middle_name = models.CharField(max_length=100, null=True, blank=True)
    last_name = models.CharField(max_length=100, null=True, blank=True)
    name = models.CharField("display name", max_length=255, null=True, blank=True)
    email = models.CharField(max_length=255, null=True, blank=True)
    title = models.CharField(max_length=100, null=True, blank=True)
    phone = models.CharField("business phone", max_length=40, null=True, blank=True)
    mobile_phone = models.CharField(max_length=40, null=True, blank=True)
    employee_number = models.CharField(max_length=40, null=True, blank=True)
    time_zone = models.CharField(max_length=64, null=True, blank=True)
    active = models.BooleanField(default=True)
    is_staff = models.BooleanField("staff", default=False, help_text="May log in to this admin site.")
    roles = models.ManyToManyField(Role, blank=True, related_name="users")

    objects = UserManager()

    USERNAME_FIELD = "user_name"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        db_table = "sys_user"
        # Encoded queries compare strings without regard to case (lower() on both sides).
        indexes = [models.Index(Lower("email"), name="sys_user_email_ci_idx")]
        constraints = [
            # Logins and the APIs treat user names without regard to case; so does uniqueness.
            models.UniqueConstraint(Lower("user_name"), name="sys_user_user_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.user_name

    def save(self, *args, **kwargs) -> None:
        if not self.name:
            self.name = display_name(self.first_name, self.last_name)
        super().save(*args, **kwargs)

    @property
    def is_locked_out(self) -> bool:
        """Whether a subtype record of this user (a contact, say) marks the login locked out."""
        if "locked_out" in self.__dict__:  # this object is itself the subtype
            return bool(self.__dict__["locked_out"])
        for accessor in lockable_subtypes():
            try:
                subtype = getattr(self, accessor)
            except models.ObjectDoesNotExist:
                continue
            if subtype.locked_out:
                return True
        return False

    @property
    def is_active(self) -> bool:
        """May log in and act: active and not locked out. Logins (API and admin) and role
        checks both read this, so one flag refuses every way in."""
        return self.active and not self.is_locked_out

    def role_names(self) -> frozenset[str]:
        """Names of the roles granted to this user: read with the user when it was loaded with
        ``role_names_annotation()``, else by one query; then cached on the object."""
        cached = self.__dict__.get("_role_names")
        if cached is None:
            joined = self.__dict__.get("joined_role_names", _NOT_READ)
            if joined is _NOT_READ:
                cached = frozenset(self.roles.values_list("name", flat=True))
            else:
                cached = frozenset(joined.split(ROLE_NAME_SEPARATOR)) if joined else frozenset()
            self.__dict__["_role_names"] = cached
        return cached

    def has_role(self, role: str) -> bool:
        """A superuser, and a holder of ``admin``, has every role."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        names = self.role_names()
        return ADMIN in names or role in names


_NOT_READ = object()
# Role names hold no control character (Role.name's validator), so a newline never occurs in one.
ROLE_NAME_SEPARATOR = "\n"


class _JoinedNames(models.Aggregate):
    """The names of a group joined by ``ROLE_NAME_SEPARATOR`` (``string_agg``, or SQLite's
    ``group_concat``); NULL for an empty group."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, %(separator)s)"
    output_field = models.TextField()

    def as_sql(self, compiler, connection, **extra_context):
        separator = "'\n'" if connection.vendor == "sqlite" else "E'\\n'"
        function = "GROUP_CONCAT" if connection.vendor == "sqlite" else self.function
        return super().as_sql(compiler, connection, function=function, separator=separator, **extra_context)


def role_names_annotation() -> dict[str, models.Expression]:
    """An annotation ``joined_role_names`` that reads the user's role names in the same statement
    as the user (``User.role_names`` then runs no query): the role check of every API request
    costs no round trip of its own."""
    names = (
        Role.objects.filter(users=models.OuterRef("pk"))
        .order_by()
        .values("users")
        .annotate(joined=_JoinedNames("name"))
        .values("joined")
    )
    return {"joined_role_names": models.Subquery(names, output_field=models.TextField())}


def lock_flag() -> dict[str, models.Expression]:
    """An annotation ``locked_out``: whether a subtype record of the user locks the login. It
    joins only that one column of each subtype table, where ``select_related`` would read (and
    Django would build SQL for) every column of the subtype: a user query on every request."""
    subtypes = lockable_subtypes()
    if not subtypes:
        return {}
    locked = models.Q()
    for accessor in subtypes:
        locked |= models.Q(**{f"{accessor}__locked_out": True})
    return {"locked_out": models.ExpressionWrapper(locked, output_field=models.BooleanField())}


def lockable_subtypes() -> tuple[str, ...]:
    """Accessor names, on ``User``, of the subtype tables (multi-table children such as
    contacts) that carry a ``locked_out`` flag. Computed once the apps are loaded."""
    global _LOCKABLE_SUBTYPES
    if _LOCKABLE_SUBTYPES is None:
        _LOCKABLE_SUBTYPES = tuple(
            rel.get_accessor_name()
            for rel in User._meta.related_objects
            if rel.one_to_one
            and rel.parent_link
            and any(field.name == "locked_out" for field in rel.related_model._meta.concrete_fields)
        )
    return _LOCKABLE_SUBTYPES


_LOCKABLE_SUBTYPES: tuple[str, ...] | None = None


class NumberCounter(models.Model):
    """The next record number per prefix (docs/platform.md). Staff may move it forward."""

    prefix = models.CharField(max_length=16, primary_key=True)
    table = models.CharField(max_length=80, blank=True, help_text="Wire table the numbers are for.")
    next_value = models.PositiveBigIntegerField(default=1)
    digits = models.PositiveSmallIntegerField(default=7)

    class Meta:
        db_table = "sys_number_counter"
        ordering = ["prefix"]

    def __str__(self) -> str:
        return f"{self.prefix}{self.next_value:0{self.digits}d}"


class JournalEntry(SysRecord):
    """One work note (``sys_journal_field``), attached to any record by table and sys_id."""

    sys_table = "sys_journal_field"
    sys_display_field = "value"

    name = models.CharField("table", max_length=80)
    element_id = models.CharField("record sys_id", max_length=32)
    element = models.CharField(max_length=40, default="work_notes")
    value = models.TextField()
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "sys_journal_field"
        verbose_name_plural = "journal entries"
        indexes = [models.Index(fields=["name", "element_id"], name="journal_record_idx")]

    def __str__(self) -> str:
        return f"{self.name}:{self.element_id} {self.element}"


class SystemProperty(SysRecord):
    """A run-time setting staff can edit without a restart (``sys_properties``)."""

    sys_table = "sys_properties"

    class Type(models.TextChoices):
        BOOLEAN = "boolean"
        STRING = "string"
        INTEGER = "integer"

    name = models.CharField(max_length=200, unique=True)
    value = models.TextField(null=True, blank=True)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.STRING)
    description = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "sys_properties"
        verbose_name_plural = "system properties"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Choice(SysRecord):
    """One value of a choice list (``sys_choice``): choice lists are data, not code."""

    sys_table = "sys_choice"
    sys_display_field = "label"

    # The platform's field name; the column keeps its first name.
    name = models.CharField("table", max_length=80, db_column="table")
    element = models.CharField(max_length=80)
    value = models.CharField(max_length=100)
    label = models.CharField(max_length=255)
    sequence = models.IntegerField(default=0)
    inactive = models.BooleanField(default=False)

    class Meta:
        db_table = "sys_choice"
        ordering = ["name", "element", "sequence", "value"]
        constraints = [models.UniqueConstraint(fields=["name", "element", "value"], name="choice_unique_value")]

    def __str__(self) -> str:
        return f"{self.name}.{self.element} = {self.value}"


class TableAccess(models.Model):
    """Who may read and who may write one table through the generic Table API.

    One row per wire table name. A caller needs one of ``read_roles`` to list or get records,
    one of ``write_roles`` to create, update or delete them. Holders of ``admin`` (and
    superusers) pass every check, except that nobody writes a table marked not ``writable``
    (an append-only log). A table without a row is open to ``admin`` only.
    """

    table = models.CharField(max_length=80, unique=True, help_text="Wire table name, e.g. customer_contact.")
    read_roles = models.ManyToManyField(Role, blank=True, related_name="+", help_text="Any one of these may read.")
    write_roles = models.ManyToManyField(
        Role, blank=True, related_name="+", help_text="Any one of these may create, update and delete."
    )
    writable = models.BooleanField(
        default=True, help_text="Off: nobody writes this table through the API, not even admin."
    )

    class Meta:
        db_table = "sys_table_access"
        ordering = ["table"]
        verbose_name = "table access rule"

    def __str__(self) -> str:
        return self.table


class FieldAccess(models.Model):
    """Who may change one field of one table's existing records, whatever the way in (Table
    API, record APIs, Batch, admin): the field rules beside the table rules
    (``csm_project.core.access.fields``).

    A rule on a table also guards the tables that extend it (a rule on ``sys_user.active``
    holds for contacts). Changing the field needs one of ``write_roles``; holders of ``admin``,
    superusers, staff who manage users and the system (commands, imports) always may. No role
    listed: those only. A new record cannot log in, so its creator sets its fields freely.
    """

    table = models.CharField(max_length=80, help_text="Wire table name, e.g. customer_contact.")
    field = models.CharField(max_length=80, help_text="Wire field name, e.g. locked_out.")
    write_roles = models.ManyToManyField(
        Role, blank=True, related_name="+", help_text="Any one of these may change it (besides admin)."
    )

    class Meta:
        db_table = "sys_field_access"
        ordering = ["table", "field"]
        verbose_name = "field access rule"
        constraints = [models.UniqueConstraint(fields=["table", "field"], name="field_access_unique_field")]

    def __str__(self) -> str:
        return f"{self.table}.{self.field}"


class RowAccess(models.Model):
    """Which rows of one table a role reaches, beside the table rules (``TableAccess``): the row
    rules of external roles (a customer's login, a consumer's), read by
    ``csm_project.core.access.rows`` (docs/row-access.md).

    A rule admits the rows of ``table`` whose ``field`` equals the caller's value: the caller's
    own sys_id when ``caller_table`` is empty, else the ``caller_field`` of the ``caller_table``
    rows whose ``caller_match`` is the caller's sys_id (e.g. ``customer_contact[sys_id=caller]
    .account``: the account of the caller's contact). ``read``, ``create``, ``update`` and
    ``delete`` say which operations it admits. A role named in any rule reaches, on every table,
    only the rows its rules there admit (none where it has no rule); a caller holding another
    role the table rule grants (or ``admin``) reaches every row.
    """

    table = models.CharField(max_length=80, help_text="Wire table name, e.g. customer_account.")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=80, help_text="Field of the table compared, e.g. account or sys_id.")
    caller_table = models.CharField(
        max_length=80, blank=True, default="", help_text="Empty: the caller's own sys_id. Else the table read."
    )
    caller_match = models.CharField(
        max_length=80, blank=True, default="sys_id", help_text="Field of caller_table holding the caller's sys_id."
    )
    caller_field = models.CharField(
        max_length=80, blank=True, default="sys_id", help_text="Field of caller_table whose value the row must hold."
    )
    read = models.BooleanField(default=True)
    create = models.BooleanField(default=False)
    update = models.BooleanField(default=False)
    delete = models.BooleanField(default=False)

    class Meta:
        db_table = "sys_row_access"
        ordering = ["table", "role__name", "field"]
        verbose_name = "row access rule"
        indexes = [models.Index(fields=["table"], name="row_access_table_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "role", "field", "caller_table", "caller_match", "caller_field"],
                name="row_access_unique_rule",
            )
        ]

    def __str__(self) -> str:
        return f"{self.table}.{self.field} = {self.caller_source()}"

    def caller_source(self) -> str:
        """The caller's value as docs/row-access.md writes it: ``caller`` or
        ``customer_contact[sys_id=caller].account``."""
        if not self.caller_table:
            return "caller"
        return f"{self.caller_table}[{self.caller_match}=caller].{self.caller_field}"


class LoginFailures(models.Model):
    """Failed logins for one user name in the current window (login throttling). Kept in the
    database so every app server counts the same failures. The name is stored only as a
    digest of its lower-cased form: names that exist and names that do not look alike."""

    name_digest = models.CharField(max_length=64, primary_key=True)
    window_start = models.FloatField(db_index=True, help_text="Seconds since the epoch of the window's first failure.")
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "sys_login_failures"
        verbose_name_plural = "login failures"

    def __str__(self) -> str:
        return f"{self.name_digest[:12]}: {self.failures}"


class SysAudit(SysRecord):
    """One changed field of one record (``sys_audit``): what it was, what it became, who and when.

    Rows are written by database triggers (``csm_project.core.sql.audit``) in the transaction of the
    change itself, whatever wrote it; nothing in Python creates them. Read-only everywhere.
    """

    sys_table = "sys_audit"
    sys_display_field = "fieldname"
    #: Never loaded by an import nor written through any API: the history is the database's.
    sys_read_only = True
    #: The triggers store the record's sys_id lower-cased, so look-ups compare it exactly and
    #: the index below serves a record's history (docs/audit.md).
    sys_id_fields = ("documentkey",)

    tablename = models.CharField(max_length=80)
    documentkey = models.CharField(max_length=32)
    fieldname = models.CharField(max_length=80)
    oldvalue = models.TextField(blank=True, default="")
    newvalue = models.TextField(blank=True, default="")
    user = models.CharField(max_length=100, blank=True, default="")
    reason = models.CharField(max_length=255, blank=True, default="")
    record_checkpoint = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "sys_audit"
        verbose_name = "audit entry"
        verbose_name_plural = "audit history"
        indexes = [models.Index(fields=["documentkey"], name="sys_audit_documentkey_idx")]

    def __str__(self) -> str:
        return f"{self.tablename}.{self.fieldname} {self.documentkey}"


class AuditArchive(SysRecord):
    """One run of ``archive_audit``: the audit rows created before ``cutoff`` written to
    ``file_name`` (JSON lines) and removed from ``sys_audit`` (docs/audit.md, "Retention").

    The run is a record like any other, so its creation and its end are in the audit history
    themselves. ``rows`` and ``newest`` move with every batch, in the transaction that removes
    the batch's rows, so they always tell what left the table; they are not audited field by
    field (a history row per batch would be noise).
    """

    sys_table = "sys_audit_archive"
    sys_display_field = "file_name"
    sys_read_only = True
    sys_audit_exclude = ("rows", "newest")

    class State(models.TextChoices):
        RUNNING = "running"
        COMPLETE = "complete"
        FAILED = "failed"

    cutoff = models.DateTimeField(help_text="Audit rows created before this moment are archived.")
    file_name = models.CharField(max_length=500, help_text="Where the archived rows were written (JSON lines).")
    state = models.CharField(max_length=20, choices=State.choices, default=State.RUNNING)
    rows = models.PositiveBigIntegerField(default=0, help_text="Audit rows written to the file and removed.")
    newest = models.DateTimeField(null=True, blank=True, help_text="Creation time of the newest row archived.")
    finished_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "sys_audit_archive"
        verbose_name = "audit archive run"
        ordering = ["-sys_created_on"]

    def __str__(self) -> str:
        return self.file_name


# --- The platform's own description of its tables (docs/table-api.md, "Metadata tables") ----------
#
# ``sys_db_object``, ``sys_dictionary``, ``sys_glide_object`` and ``sys_script`` hold rows derived
# from the registry, the models and the registered table rules (``csm_project.core.metadata``),
# rewritten after every ``migrate``; ``sys_user_has_role`` is a database view over the role grants.
# All five are ``sys_derived``: no API, import nor form writes them.


class GlideType(SysRecord):
    """A field type (``sys_glide_object``): what ``sys_dictionary.internal_type`` names."""

    sys_table = "sys_glide_object"
    sys_derived = True
    sys_read_only = True

    name = models.CharField(max_length=40, unique=True)
    label = models.CharField(max_length=80)
    scalar_type = models.CharField(max_length=40, null=True, blank=True)
    scalar_length = models.IntegerField(null=True, blank=True)
    visible = models.BooleanField(default=True)

    class Meta:
        db_table = "sys_glide_object"
        ordering = ["name"]
        verbose_name = "field type"

    def __str__(self) -> str:
        return self.name


class TableObject(SysRecord):
    """A table of the registry (``sys_db_object``); ``super_class`` is the table it extends."""

    sys_table = "sys_db_object"
    sys_derived = True
    sys_read_only = True

    name = models.CharField(max_length=80, unique=True)
    label = models.CharField(max_length=255)
    super_class = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_extendable = models.BooleanField(default=False)
    number_prefix = models.CharField(max_length=16, null=True, blank=True)
    read_only = models.BooleanField(default=False)

    class Meta:
        db_table = "sys_db_object"
        ordering = ["name"]
        verbose_name = "table"

    def __str__(self) -> str:
        return self.name


class DictionaryEntry(SysRecord):
    """One field of one table (``sys_dictionary``), or the table itself (``element`` empty,
    ``internal_type`` ``collection``). A child table lists only the fields it adds; the fields it
    inherits are the rows of its ``super_class``."""

    sys_table = "sys_dictionary"
    sys_display_field = "column_label"
    sys_derived = True
    sys_read_only = True

    class ChoiceKind(models.IntegerChoices):
        NONE = 0, "not a choice field"
        DROPDOWN_WITH_NONE = 1, "Dropdown with -- None --"
        DROPDOWN_WITHOUT_NONE = 3, "Dropdown without -- None --"

    name = models.CharField("table", max_length=80)
    element = models.CharField("column name", max_length=80, null=True, blank=True)
    column_label = models.CharField(max_length=255)
    # Both references hold the target's name, as the platform's dictionary does.
    internal_type = models.ForeignKey(
        GlideType, to_field="name", db_column="internal_type", on_delete=models.PROTECT, related_name="+"
    )
    reference = models.ForeignKey(
        TableObject,
        to_field="name",
        db_column="reference",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    max_length = models.IntegerField(null=True, blank=True)
    mandatory = models.BooleanField(default=False)
    read_only = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    display = models.BooleanField(default=False)
    primary = models.BooleanField(default=False)
    unique = models.BooleanField(default=False)
    choice = models.IntegerField(choices=ChoiceKind.choices, default=ChoiceKind.NONE)
    default_value = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        db_table = "sys_dictionary"
        ordering = ["name", "element"]
        verbose_name = "dictionary entry"
        verbose_name_plural = "dictionary"
        indexes = [models.Index(fields=["name", "element"], name="sys_dictionary_field_idx")]

    def __str__(self) -> str:
        return f"{self.name}.{self.element}" if self.element else self.name


class BusinessRule(SysRecord):
    """A table rule the product runs on writes (``sys_script``): one row per hook of a table's
    registered ``RecordRules`` (``clean`` before the write, ``after_save`` after it). ``script``
    names the Python code that runs; the rules are code, so they are read here, not written."""

    sys_table = "sys_script"
    sys_derived = True
    sys_read_only = True

    class When(models.TextChoices):
        BEFORE = "before"
        AFTER = "after"

    name = models.CharField(max_length=100)
    collection = models.CharField("table", max_length=80)
    when = models.CharField(max_length=20, choices=When.choices)
    order = models.IntegerField(default=100)
    active = models.BooleanField(default=True)
    action_insert = models.BooleanField(default=True)
    action_update = models.BooleanField(default=True)
    action_delete = models.BooleanField(default=False)
    action_query = models.BooleanField(default=False)
    script = models.CharField(max_length=255)
    description = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "sys_script"
        ordering = ["collection", "order", "name"]
        verbose_name = "business rule"

    def __str__(self) -> str:
        return self.name


class UserHasRole(SysRecord):
    """A role granted to a user (``sys_user_has_role``), one row per grant: a database view
    over the user-role link table (``csm_project.core.metadata.grants``). Its sys_id is the grant's
    audit key (``md5(user:role)``), so a grant's history is ``sys_audit`` rows with that
    ``documentkey``; its creation time and creator are those of the latest grant in that history.
    Grants are made with ``grant_role`` or in the admin (audited); never written through here."""

    sys_table = "sys_user_has_role"
    sys_display_field = "role"
    sys_derived = True
    sys_read_only = True

    user = models.ForeignKey(User, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    role = models.ForeignKey(Role, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    state = models.CharField(max_length=20, default="active")
    inherited = models.BooleanField(default=False)

    class Meta:
        managed = False
        db_table = "sys_user_has_role"
        ordering = ["sys_id"]
        verbose_name = "role grant"

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role_id}"


class ImportUpload(models.Model):
    """A file a staff member uploaded in the admin's import page, kept between its preview and
    the confirmed load. In the database, so any app server may serve the confirmation; deleted
    when loaded, and uploads older than ``ADMIN_IMPORT_KEEP_HOURS`` go when a new one comes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="+")
    table = models.CharField(max_length=80)
    name = models.CharField(max_length=255, help_text="The uploaded file's name.")
    options = models.JSONField(default=dict, help_text="upsert, key, encoding, skip_bad.")
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "sys_import_upload"

    def __str__(self) -> str:
        return f"{self.name} -> {self.table}"
