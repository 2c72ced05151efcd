"""Querysets whose SQL is built once per database, then run again with other values.

Django builds a query's SQL anew every time it runs. For a query with joins, subqueries and
annotations that costs more CPU than the database spends answering it: the sign-in query that
every API request runs took about 1.5 ms of Python to build and well under 1 ms to answer.

``PreparedQuery(model, build)`` calls ``build(**markers)`` once per database alias, with a unique
marker string for each named value, compiles the queryset, and notes which bound parameters are
markers. ``run(**values)`` then sends the same SQL with the real values in those places: values
still reach the database only as bound parameters. Rows come back as model instances,
annotations set as attributes. A list value has one SQL per list length with ``pk__in=values``,
one for every length with ``pk__any=values`` on PostgreSQL (one array parameter,
csm_project/core/sql/lookups.py).

References may be joined in with ``select_related`` (one level; ``only`` may restrict what is
read of them): each distinct target becomes one object, shared by the records that point at it.
Instances are built straight from their columns (what ``Model.from_db`` ends up with, in about a
sixth of its time: a page of leads is over a hundred objects) unless the model has its own
``__init__`` or receivers of ``pre_init``/``post_init``, which then get the usual way.

Pitfall: ``build`` must pass each value to the ORM unchanged (a lookup such as ``pk=value`` or
``name_digest=value``), not something computed from it (a digest of it, a lower-cased copy):
the SQL is built from the markers, so a derived value would be frozen into it. Building refuses
a marker that is missing from the parameters or has been altered.
"""

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet, signals
from django.db.models.base import ModelState


@dataclass(frozen=True)
class _Columns:
    """Where a model's columns are in a row, and the attnames they fill."""

    model: type[Model]
    init_list: list[str]  # attnames of the selected columns, in the select's order
    start: int
    end: int


@dataclass(frozen=True)
class _Joined(_Columns):
    """A reference read by the same query (``select_related``)."""

    set_cached: Callable[[Model, Model | None], None]  # the reference's setter on the record
    pk_index: int  # the target's sys_id within its columns


@dataclass(frozen=True)
class _Compiled:
    sql: str
    template: list  # the bound parameters, markers in their places
    slots: dict[int, tuple[str, int | str | None]]  # parameter index -> (value name, list position or WHOLE)
    columns: _Columns  # the model's own
    joined: tuple[_Joined, ...]
    annotations: dict[str, int]  # annotation name -> column
    converters: dict  # column -> (converters, expression), as Django applies them


# A query that matches nothing for these lengths (an empty ``IN`` list).
_NOTHING = _Compiled(sql="", template=[], slots={}, columns=None, joined=(), annotations={}, converters={})

# A list value sent as one parameter (``field__any``, csm_project/core/sql/lookups.py): its SQL is the
# same whatever the list's length.
WHOLE = "whole"


class PreparedQuery:
    """See the module's docstring. A value may be a list (for ``__in``): the SQL is then built
    once per list length, for at most ``max_shapes`` lengths (the oldest is forgotten first);
    once for all lengths where the list reaches the SQL as one parameter (``__any`` on
    PostgreSQL). Rows are turned into model instances as Django's own iteration does (its
    converters, then the instance ``Model.from_db`` would give, then the annotations), without
    what a raw queryset works out per run."""

    max_shapes = 128

    def __init__(self, model: type[Model], build: Callable[..., QuerySet], *names: str, paged: bool = False) -> None:
        """``paged``: ``build`` gives an ordered queryset, and ``run`` takes ``offset`` and
        ``limit`` too, sent as bound parameters of a ``LIMIT``/``OFFSET`` after its SQL."""
        self.model = model
        self.build = build
        self.names = names
        self.paged = paged
        self._compiled: OrderedDict[tuple, _Compiled] = OrderedDict()
        self._whole: set[tuple[str, str]] = set()  # (database alias, name) of lists sent whole
        self._lock = Lock()

    def _compile(self, using: str, lengths: tuple[int | str | None, ...]) -> _Compiled:
        markers: dict[str, str | list[str]] = {}
        places: dict[str, tuple[str, int | None]] = {}
        for name, length in zip(self.names, lengths, strict=True):
            if length is None:
                markers[name] = f"\x1fprepared-query:{name}\x1f"
                places[markers[name]] = (name, None)
            else:
                count = 1 if length == WHOLE else length
                markers[name] = [f"\x1fprepared-query:{name}:{i}\x1f" for i in range(count)]
                places.update({marker: (name, i) for i, marker in enumerate(markers[name])})
        queryset = self.build(**markers)
        compiler = queryset.query.get_compiler(using=using)
        if self.paged and (queryset.query.is_sliced or not queryset.ordered):
            raise ValueError("a paged query is built ordered and unsliced")
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # ``IN ()`` of an empty list: nothing to ask the database
            return _NOTHING
        if self.paged:
            sql, params = f"{sql} LIMIT %s OFFSET %s", [*params, None, None]
        slots: dict[int, tuple[str, int | str | None]] = {}
        sent: set[tuple[str, int | None]] = set()
        for index, value in enumerate(params):
            if isinstance(value, str) and "\x1fprepared-query:" in value:
                if value not in places:
                    raise ValueError(f"the query changes its value {value.split(':')[1]!r} before it reaches the SQL")
                slots[index] = places[value]
                sent.add(places[value])
            elif isinstance(value, list) and value and all(isinstance(item, str) and item in places for item in value):
                name = places[value[0]][0]
                if value != markers[name]:
                    raise ValueError(f"the query changes its value {name!r} before it reaches the SQL")
                slots[index] = (name, WHOLE)
                sent.update(places[item] for item in value)
                self._whole.add((using, name))
        missing = set(places.values()) - sent
        if missing:
            raise ValueError(f"the query does not send {sorted({name for name, _ in missing})} as bound parameters")
        if self.paged:
            slots.update({len(params) - 2: ("limit", None), len(params) - 1: ("offset", None)})
        joined = []
        for info in compiler.klass_info.get("related_klass_infos", ()):
            if info["reverse"] or info.get("related_klass_infos") or info["field"].one_to_one:
                raise ValueError("a prepared query joins references one level deep, forward only")
            columns = _columns(compiler, info)
            target = info["model"]
            joined.append(
                _Joined(
                    **vars(columns),
                    set_cached=info["local_setter"],
                    pk_index=columns.init_list.index(target._meta.pk.attname),
                )
            )
        return _Compiled(
            sql=sql,
            template=list(params),
            slots=slots,
            columns=_columns(compiler, compiler.klass_info),
            joined=tuple(joined),
            annotations=dict(compiler.annotation_col_map),
            converters=compiler.get_converters([column[0] for column in compiler.select]),
        )

    def run(self, *, using: str = DEFAULT_DB_ALIAS, **values) -> list[Model]:
        if self.paged and not all(isinstance(values.get(name), int) for name in ("offset", "limit")):
            raise TypeError("a paged query runs with a whole offset and limit")
        lengths = tuple(
            (WHOLE if (using, name) in self._whole else len(values[name])) if isinstance(values[name], list) else None
            for name in self.names
        )
        key = (using, lengths)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key) or self._compile(using, lengths)
                self._compiled[key] = compiled
                while len(self._compiled) > self.max_shapes:
                    self._compiled.popitem(last=False)
        if compiled is _NOTHING:
            return []
        slots = compiled.slots
        params = [
            value if index not in slots else _value(values, *slots[index])
            for index, value in enumerate(compiled.template)
        ]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        records = []
        own = compiled.columns
        make = _maker(own.model, own.init_list, using)
        joined = [(ref, _maker(ref.model, ref.init_list, using), {}) for ref in compiled.joined]
        for row in rows:
            if compiled.converters:
                row = list(row)
                for column, (converters, expression) in compiled.converters.items():
                    value = row[column]
                    for converter in converters:
                        value = converter(value, expression, connection)
                    row[column] = value
            record = make(row[own.start : own.end])
            for ref, make_target, seen in joined:
                values = row[ref.start : ref.end]
                key = values[ref.pk_index]
                if key is None:
                    target = None
                elif (target := seen.get(key)) is None:
                    target = seen[key] = make_target(values)
                ref.set_cached(record, target)
            for name, column in compiled.annotations.items():
                setattr(record, name, row[column])
            records.append(record)
        return records


def _columns(compiler, klass_info: dict) -> _Columns:
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    init_list = [column[0].target.attname for column in compiler.select[start:end]]
    return _Columns(model=klass_info["model"], init_list=init_list, start=start, end=end)


def _maker(model: type[Model], init_list: list[str], using: str) -> Callable[[tuple], Model]:
    """Builds an instance of ``model`` from its selected columns, as ``Model.from_db`` does
    (the columns not selected stay deferred). Directly when nothing can tell the difference: the
    model keeps Django's ``__init__`` and no ``pre_init``/``post_init`` receiver listens."""
    if (
        model.__init__ is not Model.__init__
        or signals.pre_init.has_listeners(model)
        or signals.post_init.has_listeners(model)
    ):
        from_db = model.from_db
        return lambda values: from_db(using, init_list, values)
    new = model.__new__

    def make(values: tuple) -> Model:
        record = new(model)
        record.__dict__.update(zip(init_list, values, strict=True))
        state = record._state = ModelState()
        state.adding = False
        state.db = using
        return record

    return make


def _value(values: dict, name: str, position: int | str | None):
    if position is None:
        return values[name]
    return list(values[name]) if position == WHOLE else values[name][position]


def by_sys_ids(model: type[Model], *columns: str) -> PreparedQuery:
    """Records of ``model`` by a list of sys_ids (``run(sys_ids=[...])``), loading only
    ``columns`` besides the sys_id (all when none are named)."""

    def build(sys_ids):
        records = model._default_manager.filter(pk__any=sys_ids)
        return records.only(*columns) if columns else records

    return PreparedQuery(model, build, "sys_ids")


def own_columns(model: type[Model]) -> list[str]:
    """The names of ``model``'s own columns: with ``only``, a query that reads all of them and a
    part of what it joins (``only(*own_columns(M), "reference__name")``)."""
    return [field.name for field in model._meta.concrete_fields]


def attach_references(records: list[Model], field: str, targets: PreparedQuery) -> None:
    """Set the reference ``field`` of every record to its target, read by ``targets`` (a
    ``by_sys_ids`` query) in one statement for all the records: what ``select_related`` gives,
    one object per distinct target rather than one per record. Records whose reference is
    already loaded (``select_related``, or set) are left alone."""
    if not records:
        return
    reference = records[0]._meta.get_field(field)
    missing = [record for record in records if not reference.is_cached(record)]
    wanted = sorted({value for record in missing if (value := getattr(record, reference.attname)) is not None})
    found = {target.pk: target for target in targets.run(sys_ids=wanted)} if wanted else {}
    for record in missing:
        reference.set_cached_value(record, found.get(getattr(record, reference.attname)))
