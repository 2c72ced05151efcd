"""PreparedQuery: a queryset's SQL built once, run with other values as bound parameters."""

import pytest
from django.db import connection
from django.db.models import Value, signals
from django.db.models.functions import Lower
from django.test.utils import CaptureQueriesContext

from csm_project.core.models import JournalEntry, User, role_names_annotation
from csm_project.core.sql.prepared import PreparedQuery, attach_references, by_sys_ids, own_columns


@pytest.fixture
def users(make_user):
    return [
        make_user("csm_ws_integration", user_name="ann.a", first_name="Ann"),
        make_user(user_name="bob.b", first_name="Bob"),
    ]


def by_name():
    return PreparedQuery(
        User, lambda name: User.objects.annotate(**role_names_annotation()).filter(user_name=name), "name"
    )


def test_each_run_answers_for_its_own_values_with_annotations(users):
    query = by_name()
    (ann,) = query.run(name="ann.a")
    (bob,) = query.run(name="bob.b")
    assert (ann.pk, ann.first_name, ann.role_names()) == (users[0].pk, "Ann", frozenset({"csm_ws_integration"}))
    assert (bob.pk, bob.role_names()) == (users[1].pk, frozenset())
    assert query.run(name="nobody") == []


def test_the_sql_is_built_once_and_values_stay_bound_parameters(users, monkeypatch):
    query = by_name()
    query.run(name="ann.a")
    built = []
    monkeypatch.setattr(query, "build", lambda **markers: built.append(markers))
    hostile = "x' OR '1'='1"
    with CaptureQueriesContext(connection) as queries:
        assert query.run(name=hostile) == []
    assert built == []  # not built again
    assert len(queries.captured_queries) == 1


def test_a_value_the_query_changes_is_refused_when_built(db):
    derived = PreparedQuery(User, lambda name: User.objects.filter(user_name=Lower(Value(name + "!"))), "name")
    with pytest.raises(ValueError, match="changes its value"):
        derived.run(name="ann.a")


def test_a_value_the_query_never_sends_is_refused_when_built(db):
    unused = PreparedQuery(User, lambda name: User.objects.filter(active=True), "name")
    with pytest.raises(ValueError, match="does not send"):
        unused.run(name="ann.a")


def test_a_list_value_has_one_sql_per_length(users, make_user):
    query = PreparedQuery(User, lambda names: User.objects.filter(user_name__in=names).order_by("user_name"), "names")
    assert [user.user_name for user in query.run(names=["bob.b", "ann.a"])] == ["ann.a", "bob.b"]
    assert [user.user_name for user in query.run(names=["bob.b"])] == ["bob.b"]
    assert [user.user_name for user in query.run(names=["ann.a", "nobody"])] == ["ann.a"]
    assert len(query._compiled) == 2


def test_the_oldest_shapes_are_forgotten_past_the_limit(users, monkeypatch):
    query = PreparedQuery(User, lambda names: User.objects.filter(user_name__in=names), "names")
    monkeypatch.setattr(query, "max_shapes", 2)
    for length in (1, 2, 3):
        assert [user.user_name for user in query.run(names=["ann.a"] * length)] == ["ann.a"]
    assert [key[1] for key in query._compiled] == [(2,), (3,)]


def test_references_are_attached_from_one_query_null_ones_as_none(users, django_assert_num_queries):
    notes = [
        JournalEntry.objects.create(name="t", element_id="a" * 32, value="one", author=users[0]),
        JournalEntry.objects.create(name="t", element_id="b" * 32, value="two", author=users[0]),
        JournalEntry.objects.create(name="t", element_id="c" * 32, value="three", author=None),
    ]
    loaded = list(JournalEntry.objects.filter(pk__in=[note.pk for note in notes]).order_by("value"))
    with django_assert_num_queries(1):
        attach_references(loaded, "author", by_sys_ids(User, "user_name"))
        authors = [note.author for note in loaded]  # no query of their own
    assert [author.user_name if author else None for author in authors] == ["ann.a", None, "ann.a"]
    assert authors[0] is authors[2]  # one object per distinct target


def journal_with_authors():
    return PreparedQuery(
        JournalEntry,
        lambda ids: (
            JournalEntry.objects.filter(pk__in=ids)
            .select_related("author")
            .only(*own_columns(JournalEntry), "author__user_name")
            .order_by("value")
        ),
        "ids",
    )


def test_joined_references_are_one_object_per_target_and_read_no_more(users, django_assert_num_queries):
    notes = [
        JournalEntry.objects.create(name="t", element_id="a" * 32, value="one", author=users[0]),
        JournalEntry.objects.create(name="t", element_id="b" * 32, value="three", author=None),
        JournalEntry.objects.create(name="t", element_id="c" * 32, value="two", author=users[0]),
    ]
    with django_assert_num_queries(1):
        loaded = journal_with_authors().run(ids=[note.pk for note in notes])
        authors = [note.author for note in loaded]
    assert [note.value for note in loaded] == ["one", "three", "two"]
    assert [author.user_name if author else None for author in authors] == ["ann.a", None, "ann.a"]
    assert authors[0] is authors[2]
    assert authors[0].get_deferred_fields() >= {"first_name", "password"}  # only what was asked for
    assert (loaded[0].pk, loaded[0].name, loaded[0].author_id) == (notes[0].pk, "t", users[0].pk)


def test_records_are_what_django_itself_builds(users):
    note = JournalEntry.objects.create(name="t", element_id="a" * 32, value="one", author=users[0])
    (loaded,) = journal_with_authors().run(ids=[note.pk])
    (expected,) = (
        JournalEntry.objects.filter(pk=note.pk)
        .select_related("author")
        .only(*own_columns(JournalEntry), "author__user_name")
    )
    assert loaded == expected and loaded.__dict__.keys() == expected.__dict__.keys()
    assert {k: v for k, v in vars(loaded).items() if k != "_state"} == {
        k: v for k, v in vars(expected).items() if k != "_state"
    }
    assert (loaded._state.adding, loaded._state.db) == (False, "default")
    loaded.value = "changed"
    loaded.save(update_fields=["value"])  # an instance like any other
    assert JournalEntry.objects.get(pk=note.pk).value == "changed"


def test_a_model_with_init_receivers_is_built_the_usual_way(users):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.user_name)

    signals.post_init.connect(receiver, sender=User)
    try:
        (ann,) = by_name().run(name="ann.a")
    finally:
        signals.post_init.disconnect(receiver, sender=User)
    assert seen == ["ann.a"] and ann.first_name == "Ann"


def test_references_are_joined_one_level_deep_only(users):
    nested = PreparedQuery(
        JournalEntry, lambda ids: JournalEntry.objects.filter(pk__in=ids).select_related("author__contact"), "ids"
    )
    with pytest.raises(ValueError, match="one level deep"):
        nested.run(ids=["a" * 32])


def test_any_matches_what_in_matches_for_fields_and_references(users):
    notes = [
        JournalEntry.objects.create(name="t", element_id="a" * 32, value="one", author=users[0]),
        JournalEntry.objects.create(name="t", element_id="b" * 32, value="two", author=users[1]),
        JournalEntry.objects.create(name="t", element_id="c" * 32, value="three", author=None),
    ]
    for wanted in ([], [None], ["a" * 32], ["a" * 32, None, "c" * 32, "a" * 32], ["x' OR '1'='1"]):
        expected = set(JournalEntry.objects.filter(element_id__in=wanted).values_list("value", flat=True))
        assert set(JournalEntry.objects.filter(element_id__any=wanted).values_list("value", flat=True)) == expected
    authors = [users[1].pk, None]
    assert [note.value for note in JournalEntry.objects.filter(author__any=authors)] == ["two"]
    assert [note.value for note in JournalEntry.objects.filter(author_id__any=[users[0]])] == ["one"]
    assert {note.value for note in JournalEntry.objects.exclude(pk__any=[notes[0].pk])} == {"two", "three"}


def test_a_list_sent_as_one_array_has_one_sql_for_every_length(users):
    query = PreparedQuery(User, lambda names: User.objects.filter(user_name__any=names).order_by("user_name"), "names")
    assert [user.user_name for user in query.run(names=["bob.b", "ann.a"])] == ["ann.a", "bob.b"]
    assert [user.user_name for user in query.run(names=["bob.b"])] == ["bob.b"]
    assert [user.user_name for user in query.run(names=["ann.a", "nobody", "bob.b"])] == ["ann.a", "bob.b"]
    assert query.run(names=[]) == []
    sqls = {compiled.sql for compiled in query._compiled.values()}
    if connection.vendor == "postgresql":  # one statement, the list one array parameter
        assert len(query._compiled) == 2 and len(sqls) == 1 and "= ANY(%s)" in sqls.pop()
    else:  # IN (...): one SQL per length
        assert len(query._compiled) == 4


def test_a_paged_query_takes_offset_and_limit_as_bound_parameters(users, make_user):
    make_user(user_name="cy.c")
    query = PreparedQuery(User, lambda: User.objects.order_by("user_name"), paged=True)
    assert [user.user_name for user in query.run(offset=0, limit=2)] == ["ann.a", "bob.b"]
    assert [user.user_name for user in query.run(offset=1, limit=5)] == ["bob.b", "cy.c"]
    assert query.run(offset=3, limit=1) == [] and len(query._compiled) == 1
    with pytest.raises(TypeError, match="whole offset and limit"):
        query.run(offset="0; DROP TABLE sys_user", limit=1)
    for unfit in (lambda: User.objects.all(), lambda: User.objects.order_by("user_name")[:5]):
        with pytest.raises(ValueError, match="ordered and unsliced"):
            PreparedQuery(User, unfit, paged=True).run(offset=0, limit=1)
