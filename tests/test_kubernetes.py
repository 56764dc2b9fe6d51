"""deploy/kubernetes/values.yaml is valid for the Zero to JupyterHub chart (checked as Helm does:
merged over the chart's defaults, validated against the chart's own values schema) and carries
Manabu's settings: image, memory, culling, the shared exchange; the hub hooks it adds run."""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from jsonschema import Draft7Validator

DEPLOY = REPO / "deploy" / "kubernetes"
# The chart's own schema and defaults (Zero to JupyterHub, see tests/data/z2jh/README.md), kept in
# the repo so the test runs in any clone; MANABU_Z2JH points at another chart version.
Z2JH = Path(os.environ.get("MANABU_Z2JH", Path(__file__).parent / "data" / "z2jh"))
MEASURED_MIB = 327  # JupyterLab server 141 MiB + e03 kernel peak 186 MiB (docs/hosting.md)


def merge(defaults, values):
    """Helm's merge of a values file over the chart's defaults: maps key by key, null deletes."""
    if not (isinstance(defaults, dict) and isinstance(values, dict)):
        return copy.deepcopy(values)
    out = copy.deepcopy(defaults)
    for key, value in values.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge(out.get(key), value)
    return out


@pytest.fixture(scope="module")
def chart():
    schema, defaults = Z2JH / "values.schema.yaml", Z2JH / "values.default.yaml"
    assert schema.exists(), f"the chart's schema is missing: {schema} (set MANABU_Z2JH)"
    return (yaml.safe_load(schema.read_text(encoding="utf-8")),
            yaml.safe_load(defaults.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load((DEPLOY / "values.yaml").read_text(encoding="utf-8"))


def problems(chart, values) -> list[str]:
    schema, defaults = chart
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
            for e in Draft7Validator(schema).iter_errors(merge(defaults, values))]


def test_values_are_valid_for_the_chart(chart, values):
    assert problems(chart, values) == []


@pytest.mark.parametrize("path, bad", [
    (("singleuser", "memroy"), {"limit": "1G"}),      # a misspelled key
    (("cull", "timeout"), "an hour"),                 # a wrong type
    (("singleuser", "storage", "extraVolumeMounts"), "exchange"),
])
def test_the_schema_check_catches_mistakes(chart, values, path, bad):
    broken = copy.deepcopy(values)
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad
    assert problems(chart, broken), f"{'.'.join(path)} = {bad!r} passed the schema"


def to_mib(text: str) -> float:
    """KubeSpawner's byte units: K, M, G are powers of 1024."""
    number, unit = re.fullmatch(r"([\d.]+)([KMGT]?)", str(text)).groups()
    return float(number) * {"": 2**-20, "K": 2**-10, "M": 1, "G": 2**10, "T": 2**20}[unit]


def test_memory_is_sized_from_the_measured_student_server(values):
    memory = values["singleuser"]["memory"]
    guarantee, limit = to_mib(memory["guarantee"]), to_mib(memory["limit"])
    assert MEASURED_MIB <= guarantee <= 1.5 * MEASURED_MIB
    assert limit == 1024 and limit >= 3 * guarantee * 0.8  # room for three or four lessons


def test_image_culling_and_exchange(values):
    single = values["singleuser"]
    assert single["image"]["name"].endswith("/manabu-singleuser") and single["image"]["tag"]
    assert single["cmd"] == "/opt/manabu/bin/jupyterhub-singleuser"
    cull = values["cull"]
    assert cull["enabled"] and cull["timeout"] > 50 * 60 and cull["users"] is False
    assert 0 < cull["every"] <= cull["timeout"] and cull["maxAge"] >= 8 * 3600
    mounts = {m["mountPath"]: m["name"] for m in single["storage"]["extraVolumeMounts"]}
    volume = mounts["/srv/manabu/exchange"]
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"]
              for v in single["storage"]["extraVolumes"]}
    pvcs = {d["metadata"]["name"]: d for d in
            yaml.safe_load_all((DEPLOY / "exchange-pvc.yaml").read_text(encoding="utf-8"))}
    assert pvcs[claims[volume]]["spec"]["accessModes"] == ["ReadWriteMany"]
    assert pvcs[claims["manabu-courses"]]["spec"]["accessModes"] == ["ReadWriteMany"]
    assert single["extraEnv"]["MANABU_EXCHANGE"] == "/srv/manabu/exchange"


def test_the_commented_japanese_ui_option_is_valid(chart, values):
    text = (DEPLOY / "values.yaml").read_text(encoding="utf-8")
    block = re.search(r"^  # extraFiles:\n(?:^  #  .*\n)+", text, re.MULTILINE).group(0)
    option = yaml.safe_load("\n".join(line.replace("  # ", "", 1) for line in block.splitlines()))
    assert option["extraFiles"]["jupyterlab-japanese"]["data"] == {
        "@jupyterlab/translation-extension:plugin": {"locale": "ja_JP"}}
    with_option = copy.deepcopy(values)
    with_option["singleuser"].update(option)
    assert problems(chart, with_option) == []


class FakeSpawner:
    def __init__(self, groups, mounts):
        self.user = type("User", (), {"id": 7, "groups": [type("G", (), {"name": g}) for g in groups]})
        self.volume_mounts, self.environment = mounts, {"MANABU_LANG": "ja"}


@pytest.mark.parametrize("mounts", [[{"name": "home", "mountPath": "/home/jovyan"}],
                                    {"home": {"name": "home", "mountPath": "/home/jovyan"}}])
def test_hub_hooks_give_each_user_a_uid_and_teachers_the_courses(values, mounts):
    from traitlets.config import Config

    c = Config()
    for name, code in sorted(values["hub"]["extraConfig"].items()):
        exec(compile(code, name, "exec"), {"c": c})
    assert c.KubeSpawner.uid(FakeSpawner([], mounts)) == 20007
    student = FakeSpawner(["nbgrader-5a"], copy.deepcopy(mounts))
    c.KubeSpawner.pre_spawn_hook(student)
    assert student.volume_mounts == mounts and "JUPYTER_CONFIG_PATH" not in student.environment
    teacher = FakeSpawner(["formgrade-5a"], copy.deepcopy(mounts))
    c.KubeSpawner.pre_spawn_hook(teacher)
    listed = teacher.volume_mounts.values() if isinstance(mounts, dict) else teacher.volume_mounts
    assert {"name": "manabu-courses", "mountPath": "/srv/manabu/courses"} in list(listed)
    assert len(listed) == 2 and teacher.environment["MANABU_LANG"] == "ja"
    assert teacher.environment["JUPYTER_CONFIG_PATH"] == "/opt/manabu/etc/jupyter-teacher"


def test_students_read_class_names_and_school_times(values, monkeypatch):
    """As on one server: the image's school_labels extension reads these two settings."""
    from autograder.school import school_labels

    env = values["singleuser"]["extraEnv"]
    for key in (school_labels.NAMES_ENV, school_labels.ZONE_ENV):
        monkeypatch.setenv(key, env[key])
    names = school_labels.class_names()
    assert names and all(re.fullmatch(r"[a-z0-9-]+", k) for k in names), names
    assert school_labels.school_zone() is not None, env[school_labels.ZONE_ENV]
    install = (REPO / "deploy" / "image" / "install.sh").read_text(encoding="utf-8")
    assert '\\"autograder.school.school_labels\\": true' in install
