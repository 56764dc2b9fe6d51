"""The only things that cross from a student's sandbox to the tests: plain data, as JSON.

Grading runs the student's notebook in a sandbox and the test cells in a separate, clean process
(:mod:`autograder.grading.judge`). When a test uses a name the student defined, the sandbox sends the
value in this format and the judge rebuilds it with :func:`decode`, which makes only exact
built-in types: ``bool``, ``int``, ``float``, ``str``, ``None``; ``list``, ``tuple``, ``dict``,
``set`` of those; NumPy arrays of bool, integer, float or text (unicode) dtype. No subclass, no object with its
own ``__eq__``, no code: whatever the student's process sends, the test receives only data.

Encoding (JSON): scalars are JSON scalars; containers are one-key objects
``{"l": [...]}``, ``{"t": [...]}``, ``{"s": [...]}``, ``{"d": [[key, value], ...]}``,
``{"a": [dtype, shape, base64 bytes]}``. NumPy scalars travel as the matching Python scalar.
"""

from __future__ import annotations

import base64
import json
import math

MAX_DEPTH = 32
MAX_ITEMS = 1_000_000      # scalars and container entries in one value
MAX_BYTES = 16_000_000     # the JSON text of one value
ARRAY_KINDS = "biufU"      # bool, signed and unsigned integers, floats, text


class NotData(ValueError):
    """The value is not plain data; ``str(err)`` names what it is (for the teacher's log)."""


def encode(value: object) -> object:
    """``value`` as JSON-ready data, or :class:`NotData` naming what it is instead."""
    budget = [MAX_ITEMS]
    return _encode(value, 0, budget)


def _encode(value, depth: int, budget: list[int]):
    _spend(budget, depth)
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if math.isfinite(value) else {"f": repr(value)}
    if kind in (list, tuple, set):
        tag = {list: "l", tuple: "t", set: "s"}[kind]
        return {tag: [_encode(item, depth + 1, budget) for item in value]}
    if kind is dict:
        return {"d": [[_encode(k, depth + 1, budget), _encode(v, depth + 1, budget)]
                      for k, v in value.items()]}
    numpy = _numpy_if_loaded()
    if numpy is not None:
        if kind is numpy.ndarray:
            if value.dtype.kind not in ARRAY_KINDS or value.dtype.hasobject:
                raise NotData(f"a NumPy array of {value.dtype}")
            budget[0] -= value.size
            if budget[0] < 0:
                raise NotData("too big")
            data = numpy.ascontiguousarray(value)
            return {"a": [data.dtype.str, list(data.shape),
                          base64.b64encode(data.tobytes()).decode("ascii")]}
        if kind is numpy.bool_:
            return bool(value)
        if kind is numpy.str_:
            return str(value)
        if issubclass(kind, numpy.integer) and kind.__module__ == "numpy":
            return int(value)
        if issubclass(kind, numpy.floating) and kind.__module__ == "numpy":
            return _encode(float(value), depth, budget)
    raise NotData(_type_name(value))


def _spend(budget: list[int], depth: int) -> None:
    """Count one more item against the value's caps (items and nesting depth)."""
    budget[0] -= 1
    if budget[0] < 0:
        raise NotData("too big")
    if depth > MAX_DEPTH:
        raise NotData("nested too deeply")


def _numpy_if_loaded():
    import sys

    return sys.modules.get("numpy")


def _type_name(value) -> str:
    name = getattr(type(value), "__name__", "?")
    return name if isinstance(name, str) else "?"


def dumps(value: object) -> str:
    """One line of JSON for ``value`` (raises :class:`NotData`)."""
    text = json.dumps(encode(value), ensure_ascii=False, allow_nan=False)
    if len(text) > MAX_BYTES:
        raise NotData("too big")
    return text


def decode(data: object) -> object:
    """Rebuild a value from :func:`encode`'s form, trusting nothing: exact built-in types only.

    Raises :class:`NotData` for anything that is not in the format (deep nesting, unknown tags,
    unhashable keys, wrong array sizes)."""
    budget = [MAX_ITEMS]
    try:
        return _decode(data, 0, budget)
    except NotData:
        raise
    except (TypeError, ValueError, RecursionError, OverflowError, KeyError, IndexError) as err:
        raise NotData(f"damaged data ({type(err).__name__})") from None


def _decode(data, depth: int, budget: list[int]):
    _spend(budget, depth)
    kind = type(data)
    if data is None or kind in (bool, str):
        return data
    if kind is int:
        return int(data)
    if kind is float:
        return float(data)
    if kind is not dict or len(data) != 1:
        raise NotData("damaged data")
    (tag, body), = data.items()
    if tag == "f" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "a":
        return _decode_array(body, budget)
    if type(body) is not list:
        raise NotData("damaged data")
    if tag in ("l", "t", "s"):
        items = [_decode(item, depth + 1, budget) for item in body]
        return items if tag == "l" else tuple(items) if tag == "t" else set(items)
    if tag == "d":
        out = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2:
                raise NotData("damaged data")
            out[_decode(pair[0], depth + 1, budget)] = _decode(pair[1], depth + 1, budget)
        return out
    raise NotData("damaged data")


def _decode_array(body, budget: list[int]):
    import numpy

    if type(body) is not list or len(body) != 3:
        raise NotData("damaged data")
    dtype_text, shape, payload = body
    if type(dtype_text) is not str or type(shape) is not list or type(payload) is not str:
        raise NotData("damaged data")
    dtype = numpy.dtype(dtype_text)
    if dtype.kind not in ARRAY_KINDS or dtype.hasobject or dtype.fields is not None:
        raise NotData(f"a NumPy array of {dtype}")
    if len(shape) > MAX_DEPTH or not all(type(n) is int and n >= 0 for n in shape):
        raise NotData("damaged data")
    size = math.prod(shape)
    budget[0] -= size
    if budget[0] < 0 or size * dtype.itemsize > MAX_BYTES:
        raise NotData("too big")
    raw = base64.b64decode(payload.encode("ascii"), validate=True)
    if len(raw) != size * dtype.itemsize:
        raise NotData("damaged data")
    return numpy.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def loads(text: str) -> object:
    """:func:`decode` of one JSON line (raises :class:`NotData`)."""
    if len(text) > MAX_BYTES:
        raise NotData("too big")
    try:
        return decode(json.loads(text))
    except RecursionError:
        raise NotData("nested too deeply") from None
    except json.JSONDecodeError:
        raise NotData("damaged data") from None
