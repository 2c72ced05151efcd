"""The contact-center API's JSON reading: strict JSON, plus the one repair the vendor
document's POST example needs (line breaks where commas belong between members)."""

import pytest

from contacts.directory.api.parsers import parse_lenient_json
from csm_project.api.errors import BadRequestBody


def test_valid_json_is_read_as_is():
    assert parse_lenient_json(b'{"name": "A\\nB", "n": [1, 2]}') == {"name": "A\nB", "n": [1, 2]}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b'{\n  "name": "Some Contact"\n  "type": "Custom"\n  "phoneNumber": "xxx-xxx-xxxx"\n}',
            {"name": "Some Contact", "type": "Custom", "phoneNumber": "xxx-xxx-xxxx"},
        ),
        (
            b'{"a": 1\r\n"b": true\n"c": null\n"d": false\n"e": [1]\n"f": {"g": "h"}\n"i": "j"}',
            {"a": 1, "b": True, "c": None, "d": False, "e": [1], "f": {"g": "h"}, "i": "j"},
        ),
        (b'{"a": "x",\n"b": "y"\n"c": "z"}', {"a": "x", "b": "y", "c": "z"}),
        (b'{"a \\" b": "x"\n"c": "y"}', {'a " b': "x", "c": "y"}),
    ],
)
def test_members_separated_only_by_line_breaks_are_read(body, expected):
    assert parse_lenient_json(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": "x" "b": "y"}',  # no line break: a different defect
        b'{"a": "x"\n"b" "y"}',  # repairing the commas is not enough
        b'{"a": NaN}',
        b"{'a': 'x'}",
        b"\xff",
        b'{"a": "x",\n}',
    ],
)
def test_anything_else_unreadable_is_a_bad_request_body(body):
    with pytest.raises(BadRequestBody) as raised:
        parse_lenient_json(body)
    assert raised.value.cc_code == 2
    assert raised.value.status_code == 400
