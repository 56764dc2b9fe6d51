"""Feedback HTML for a whole class from templates compiled once, and cells finished once.

nbgrader makes a new ``HTMLExporter`` for every submission, and each one builds a new Jinja
environment that parses and compiles the same nine feedback templates again: about a third of
the CPU time of a student's feedback page. :class:`ClassHTMLExporter` gives every exporter of a
``manabu grade`` worker one in-memory bytecode cache, so each template is compiled once per
worker. Jinja keys the cache by template name and file and checks a hash of the source, so an
edited template is compiled again, and the page is the same, byte for byte.

nbconvert then parses and rewrites the whole page (alt text, focus); that step is done per cell,
each distinct cell once per worker (:mod:`autograder.grading.feedback_html`), same bytes.
"""

from __future__ import annotations

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

from autograder.grading.feedback_html import finish_page


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

    def from_notebook_node(self, nb, resources=None, **kw):
        """nbconvert 7's ``HTMLExporter.from_notebook_node``, its last pass over the page done
        cell by cell (:func:`autograder.grading.feedback_html.finish_page`)."""
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        filter_data_type = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", filter_data_type)
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        html, missing = finish_page(html)
        if missing:
            self.log.warning("Alternative text is missing on %s image(s).", missing)
        return html, resources

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = CLASS_CACHE
        return environment
