"""JupyterLab's settings on Manabu's pages (@manabu/lab:settings, course/labextension/src/
settings.ts): every plugin gets exactly the settings JupyterLab's own registry gives it, most
without their schema being compiled, and settings a teacher changes are still checked.

One JupyterLab (a teacher's page config: the most plugins, and the Japanese course's own user
settings), one page with Manabu's registry, one with JupyterLab's own in its place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_helpers import TOKEN, plugins_switched, running
from conftest import free_port
from lab_tabs import EXPOSE_APP, TIMEOUT, restored_in_time

from autograder.lab import lab_command, lab_environment
from autograder.labpage import REPLACED

pytestmark = pytest.mark.browser
OURS = "@manabu/lab:settings"
THEIRS = next(old for old, new in REPLACED.items() if new == OURS)
TRACKER = "@jupyterlab/notebook-extension:tracker"
CONTEXT_MENU = "@jupyterlab/application-extension:context-menu"
SHORTCUTS = "@jupyterlab/shortcuts-extension:shortcuts"

# The page's setting registry, found through JupyterLab's plugin registry (window.jupyterapp)
REGISTRY = """async () => {
    const TIMEOUT = """ + TIMEOUT + """;
    const app = window.jupyterapp;
    const services = app.pluginRegistry?._services;
    if (!services) return null;
    for (const [token, id] of services) {
        if (token.name.endsWith(':ISettingRegistry')) {
            window.manabuRegistry = await Promise.race([app.resolveRequiredService(token), TIMEOUT]);
            return window.manabuRegistry ? id : null;
        }
    }
    return null;
}"""
# What it holds: every plugin's composite settings, and what Manabu's validator did
HOLDS = """() => {
    const registry = window.manabuRegistry;
    const composite = {};
    for (const [id, plugin] of Object.entries(registry.plugins)) composite[id] = plugin.data?.composite ?? null;
    return {composite, counts: registry.validator.counts ?? null};
}"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on an empty course folder: Manabu's page config and Japanese user settings."""
    course = tmp_path_factory.mktemp("settings-course")
    env = lab_environment(course, "ja")
    settings_dir = Path(env["JUPYTERLAB_SETTINGS_DIR"])
    # and one as JupyterLab saves a change (JSON5, a comment line per setting)
    autosave = settings_dir / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings"
    autosave.parent.mkdir(parents=True, exist_ok=True)
    autosave.write_text('{\n    // Autosave Interval\n    "autosaveInterval": 60\n}\n', encoding="utf-8")
    config = Path(env["JUPYTER_CONFIG_PATH"].split(":")[0])
    exposed = {**EXPOSE_APP, "JupyterNotebookApp": {"expose_app_in_browser": True}}  # Notebook 7 too
    (config / "jupyter_server_config.json").write_text(json.dumps(exposed), encoding="utf-8")
    port = free_port()
    with running(lab_command(course, port, open_browser=False), port,
                 tmp_path_factory.mktemp("settings-log") / "lab.log", env=env) as base:
        yield base, config / "labconfig" / "page_config.json", settings_dir


def load(browser, base: str, app: str = "/lab?reset") -> tuple[object, str, list[str]]:
    """A JupyterLab (or Notebook 7) page, restored: the page, its registry's plugin id, its
    console errors."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    errors: list[str] = []  # the first line of each (a stack trace names the server's port)
    page.on("console", lambda m: errors.append(m.text.splitlines()[0]) if m.type == "error" else None)
    page.goto(f"{base}{app}{'&' if '?' in app else '?'}token={TOKEN}")
    assert restored_in_time(page), f"JupyterLab did not start in 60 s; console errors: {errors}"
    provider = page.evaluate(REGISTRY)
    assert provider, "no setting registry found in JupyterLab's plugin registry"
    page.wait_for_timeout(1500)  # the plugins loaded after restore
    return page, provider, errors


def user_settings(path: Path) -> dict:
    """A user settings file as JupyterLab writes it (JSON with a comment line per setting)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return json.loads("\n".join(line for line in lines if not line.lstrip().startswith("//")))


@pytest.mark.parametrize("app", ["/lab?reset", "/tree"])
def test_every_plugin_gets_jupyterlabs_own_settings(lab, browser, app):
    """In JupyterLab, and in Notebook 7 (which has no settings connector plugin: Manabu's
    registry makes JupyterLab's connector itself there)."""
    base, page_config, _ = lab
    page, provider, our_errors = load(browser, base, app)
    try:
        ours = page.evaluate(HOLDS)
    finally:
        page.close()
    assert provider == OURS
    with plugins_switched(page_config, {THEIRS: False, OURS: True}):  # JupyterLab's own registry
        page, provider, their_errors = load(browser, base, app)
        try:
            theirs = page.evaluate(HOLDS)
        finally:
            page.close()
    assert provider == THEIRS and theirs["counts"] is None
    # no error of its own (Notebook 7's page logs a few with either registry, the same ones)
    assert sorted(our_errors) == sorted(their_errors)
    if app.startswith("/lab"):
        assert our_errors == []
    assert len(theirs["composite"]) >= 40, sorted(theirs["composite"])
    assert sorted(ours["composite"]) == sorted(theirs["composite"])
    # JupyterLab's context menu and shortcuts are made of the items of the plugins whose settings
    # are loaded when each is first made: in Notebook 7 that depends on timing with either
    # registry (CI: one more context menu item, then a different shortcut list), so there they
    # are left out; in JupyterLab they must be equal like the rest.
    if not app.startswith("/lab"):
        for composed in (CONTEXT_MENU, SHORTCUTS):
            ours["composite"].pop(composed), theirs["composite"].pop(composed)
    differ = {id_: (value, theirs["composite"][id_]) for id_, value in ours["composite"].items()
              if value != theirs["composite"][id_]}
    assert differ == {}
    # nearly all without Ajv, the course's own user settings too (language, school font,
    # windowing, no news); the one saved as JupyterLab saves went to JupyterLab's validator
    assert ours["counts"]["lean"] >= 30 and ours["counts"]["full"] >= 1, ours["counts"]
    assert ours["composite"]["@jupyterlab/apputils-extension:themes"]["overrides"]["content-font-family"]
    assert ours["composite"]["@jupyterlab/translation-extension:plugin"]["locale"] == "ja_JP"
    assert ours["composite"]["@jupyterlab/docmanager-extension:plugin"]["autosaveInterval"] == 60


def test_a_changed_setting_is_checked_saved_and_used(lab, browser):
    base, _, settings_dir = lab
    page, provider, errors = load(browser, base)
    saved = settings_dir / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    before = saved.read_text(encoding="utf-8")
    try:
        assert provider == OURS
        page.evaluate(f"() => window.manabuRegistry.set('{TRACKER}', 'recordTiming', true)")
        held = page.evaluate(f"() => window.manabuRegistry.plugins['{TRACKER}'].data.composite")
        assert held["recordTiming"] is True
        assert held["windowingMode"] == "defer"  # the course's own setting, kept
        assert user_settings(saved)["recordTiming"] is True
        # a wrong value is refused and not saved (JupyterLab keeps it in the page's copy: last)
        refused = page.evaluate(f"""() => window.manabuRegistry.set('{TRACKER}', 'windowingMode', 'sideways')
            .then(() => 'saved', error => String(error?.message ?? JSON.stringify(error)))""")
        assert "failed to validate" in refused
        assert user_settings(saved)["windowingMode"] == "defer"
        assert errors == []
    finally:
        page.close()
        saved.write_text(before, encoding="utf-8")
