"""Feedback HTML for a whole class from templates compiled once.

nbgrader makes a new ``HTMLExporter`` for every submission, and each one builds a new Jinja
environment that parses and compiles the same nine feedback templates again: about a third of
the CPU time of a student's feedback page. :class:`ClassHTMLExporter` gives every exporter of a
``manabu grade`` worker one in-memory bytecode cache, so each template is compiled once per
worker. Jinja keys the cache by template name and file and checks a hash of the source, so an
edited template is compiled again, and the page is the same, byte for byte.
"""

from __future__ import annotations

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from nbconvert.exporters import HTMLExporter


class MemoryBytecodeCache(BytecodeCache):
    """Compiled Jinja templates kept in this process's memory (Jinja ships only file and
    memcached caches)."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)  # refused (left empty) if the source changed

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._store.clear()


CLASS_CACHE = MemoryBytecodeCache()


class ClassHTMLExporter(HTMLExporter):
    """nbconvert's ``HTMLExporter`` (same config, same output) whose templates are compiled once
    per process and reused for every student of the class."""

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = CLASS_CACHE
        return environment
