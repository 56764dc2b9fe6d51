"""The data contract between the student's sandbox and the judge (autograder.grading.answerdata): only
exact built-in types and numeric arrays come out of decode, whatever bytes go in."""

from __future__ import annotations

import json

import numpy as np
import pytest

from autograder.grading.answerdata import NotData, decode, dumps, encode, loads

VALUES = [None, True, 0, -7, 2**80, 1.5, float("nan"), float("-inf"), "ねこ", "",
          [1, [2.0, "x"]], (1, (2,)), {1, "a", (2, 3)}, {"a": [1], 2: None, (1, 2): {"b": 3.0}},
          np.arange(6, dtype=np.int16).reshape(2, 3), np.array([True, False]),
          np.zeros((0, 3)), np.float32(1.25)]


@pytest.mark.parametrize("value", VALUES, ids=[type(v).__name__ for v in VALUES])
def test_plain_data_survives_the_trip(value):
    back = loads(dumps(value))
    if isinstance(value, np.ndarray):
        assert type(back) is np.ndarray and back.dtype == value.dtype
        assert back.shape == value.shape and np.array_equal(back, value)
    elif isinstance(value, np.generic):
        assert type(back) is float and back == float(value)
    elif isinstance(value, float) and value != value:
        assert back != back
    else:
        assert back == value and type(back) is type(value)


class Always(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


@pytest.mark.parametrize("value", [Always(3), [Always(1)], {"a": object()}, np.array([1, "a"],
                                   dtype=object), print, type, iter([1]), np.rec.array([(1, 2)])])
def test_anything_else_is_not_data(value):
    with pytest.raises(NotData):
        encode(value)


@pytest.mark.parametrize("raw", [
    '{"x": 1}', '{"l": 1}', '{"l": [1], "t": [2]}', '{"d": [[1]]}', '{"d": [[{"l": []}, 1]]}',
    '{"s": [{"l": [1]}]}', '{"a": ["O", [1], "AA=="]}', '{"a": ["<f8", [2], "AA=="]}',
    '{"a": ["<f8", [-1], ""]}', '{"f": "1e999"}', "[" * 50_000 + "]" * 50_000,
    '{"l": ' * 40 + "1" + "}" * 40, "not json", '"x' + "y" * 10,
])
def test_damaged_or_hostile_input_never_becomes_a_value(raw):
    with pytest.raises(NotData):
        loads(raw)


def test_decoded_values_have_exact_types_only():
    value = decode(json.loads(dumps({"k": [1, (2.5, "s")], "arr": np.ones(2)})))
    seen = []

    def walk(v):
        seen.append(type(v))
        if isinstance(v, dict):
            for k, x in v.items():
                walk(k)
                walk(x)
        elif isinstance(v, (list, tuple, set)):
            for x in v:
                walk(x)

    walk(value)
    assert set(seen) <= {dict, list, tuple, str, int, float, np.ndarray}
