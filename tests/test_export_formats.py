"""JupyterLab's export formats worked out once per server (autograder.school.export_formats);
a server answering from it: tests/test_my_lessons.py."""

from __future__ import annotations

import pytest

from autograder.school import export_formats as module


@pytest.fixture
def counted(monkeypatch):
    """``export_formats`` counted, failing as ``fail`` says, and nothing worked out yet."""
    calls: list[int] = []
    state = {"fail": False}

    def formats():
        calls.append(1)
        if state["fail"]:
            raise ImportError("no nbconvert")
        return {"html": {"output_mimetype": "text/html"}}

    monkeypatch.setattr(module, "export_formats", formats)
    monkeypatch.setattr(module, "_formats", None)
    return calls, state


def test_the_formats_are_worked_out_once(counted):
    calls, _state = counted
    first = module.start()
    assert first.result(timeout=30) == {"html": {"output_mimetype": "text/html"}}
    assert module.start() is first and calls == [1]


def test_a_failure_is_tried_again_on_the_next_page(counted):
    calls, state = counted
    state["fail"] = True
    with pytest.raises(ImportError):
        module.start().result(timeout=30)
    state["fail"] = False
    assert module.start().result(timeout=30) == {"html": {"output_mimetype": "text/html"}}
    assert calls == [1, 1]


def test_the_list_is_jupyter_servers():
    formats = module.export_formats()
    assert formats["html"] == {"output_mimetype": "text/html"}
    assert {"script", "notebook", "markdown"} <= set(formats)
