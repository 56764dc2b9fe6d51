"""The student-side runtime: check(), i18n, plot style, catalog, glass-box model, widgets."""

from __future__ import annotations

import subprocess
import sys
import warnings

import nbformat
import numpy as np
import pytest

from course import CheckFailed, check
from course.catalogs import po_messages
from course.checks import friendly_error_text
from course.i18n import _, set_language, translator


def test_check_passes_quietly_or_says_ok(capsys):
    check(2 + 2 == 4, "Add again.")
    assert capsys.readouterr().out == ""
    check(True, "never shown", ok="Great!")
    shown = capsys.readouterr().out.strip()
    # says what it checked, with a mark no child reads as "correct": the teacher decides
    assert shown == "✎ Great! Your teacher will check if it is right." and "✔" not in shown


def test_check_fails_with_the_childs_message():
    with pytest.raises(CheckFailed, match="Count again"):
        check(3 == 4, "Count again.")


def test_check_treats_an_unanswerable_condition_as_not_yet():
    with pytest.raises(CheckFailed):
        check(np.array([1, 2]) == 1, "Write one number.")  # truth value of an array is ambiguous


def test_friendly_text_for_a_missing_answer():
    try:
        eval("answer_k")
    except NameError as err:
        text = friendly_error_text(NameError, err)
    assert "answer_k" in text and "Shift+Enter" in text


def test_parse_po_reads_multiline_and_skips_untranslated():
    po = 'msgid ""\nmsgstr "header"\n\nmsgid "Clear"\nmsgstr "けす"\n\n' \
         'msgid "a "\n"b"\nmsgstr ""\n"c\\"d"\n\nmsgid "todo"\nmsgstr ""\n'
    assert po_messages(po) == {"Clear": "けす", "a b": 'c"d'}


def test_japanese_catalog_translates_and_english_is_identity(monkeypatch):
    monkeypatch.delenv("MANABU_LANG", raising=False)
    set_language("ja")
    try:
        assert _("Clear") == "けす"
        monkeypatch.setenv("MANABU_LANG", "en")  # the environment overrides the lesson
        assert _("Clear") == "Clear"
    finally:
        set_language("en")
    assert translator("en")("Clear") == "Clear"


def messages_in_code() -> list[tuple[str, str]]:
    """(file name, msgid) for every _("...") call in course/ and autograder/, and in the
    Jinja2 templates (autograder/templates/**/*.j2)."""
    import ast
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    found = []
    for path in [*root.glob("course/**/*.py"), *root.glob("autograder/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.append((path.name, node.args[0].value))
    for path in root.glob("autograder/templates/**/*.j2"):
        for literal in re.findall(r'\b_\(\s*("(?:[^"\\]|\\.)*")', path.read_text(encoding="utf-8")):
            found.append((path.name, ast.literal_eval(literal)))
    return found


def test_template_messages_are_found():
    names = {name for name, _msgid in messages_in_code()}
    assert {"guide.html.j2", "report.html.j2", "kanten.html.j2", "start.md.j2",
            "index.html.j2"} <= names


def test_every_message_in_course_has_a_japanese_translation():
    """Each _("...") literal in course/ and autograder/ is in ja.po (no English left in ja)."""
    from course.i18n import translations

    catalog = translations("ja")._catalog
    found = messages_in_code()
    assert len(found) > 30  # the scan itself works
    missing = [f"{name}: {msgid}" for name, msgid in found if msgid not in catalog]
    assert not missing, "add these to a .po file in course/locale/ja/:\n" + "\n".join(missing)


def test_unknown_language_is_refused_with_a_hint():
    with pytest.raises(ValueError, match="en, ja"):
        set_language("fr")


def test_import_course_stays_light():
    code = ("import sys, course; heavy = [m for m in ('sklearn', 'matplotlib', 'ipywidgets') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_widget_module_loads_only_its_own_family():
    """A lesson's first cell (j04: ``from course.widgets.boundary import ...``) does not load
    the other widget families; a name from ``course.widgets`` loads its family when asked."""
    code = ("import sys; from course.widgets.boundary import BoundaryExplorer; "
            "import course.widgets as w; print(sorted(m.rsplit('.', 1)[1] for m in sys.modules "
            "if m.startswith('course.widgets.'))); "
            "w.GridRobot; print('course.widgets.robot' in sys.modules); "
            "from course.widgets import *; print(len(w.__all__), all(n in dir(w) for n in w.__all__))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded, robot, star = out.stdout.split("\n")[:3]
    assert loaded == str(["boundary", "evaluate"])  # boundary draws evaluate's accuracy bars
    assert robot == "True" and star == "30 True"
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        import course.widgets

        course.widgets.Nope  # noqa: B018


def test_plot_style_is_okabe_ito_with_markers_and_draws_japanese():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    from course.style import COLORS, MARKERS, OKABE_ITO, new_figure

    fig, ax = new_figure()
    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()
    assert cycle["color"][:3] == [OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["bluish_green"]]
    assert cycle["marker"] == MARKERS and len(set(COLORS)) == len(COLORS)
    assert "ipaexg" in font_manager.findfont("IPAexGothic").lower()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" would raise here
        ax.set_title("となりの数とまちがいの数")
        fig.canvas.draw()


def test_catalog_lists_e03_in_both_languages():
    from course.catalog import load_catalog

    for lang in ("en", "ja"):
        ids = [lesson.id for lesson in load_catalog(lang)]
        assert "e03" in ids
    e03 = {lesson.lang: lesson for lang in ("en", "ja") for lesson in load_catalog(lang)
           if lesson.id == "e03"}
    assert e03["en"].title != e03["ja"].title and e03["en"].minutes == e03["ja"].minutes == 45


def test_nearest_neighbors_agrees_with_scikit_learn():
    from sklearn.datasets import load_digits
    from sklearn.neighbors import KNeighborsClassifier

    from course.models import NearestNeighbors

    X, y = load_digits(return_X_y=True)
    for k in (1, 4, 9):
        ours = NearestNeighbors(k).fit(X[:400], y[:400]).predict(X[1000:1300])
        theirs = KNeighborsClassifier(k, algorithm="brute").fit(X[:400], y[:400]).predict(X[1000:1300])
        assert (ours == theirs).mean() >= 0.99  # equal up to ties in distance


def test_nearest_neighbors_follows_scikit_learn_conventions():
    from course.models import NearestNeighbors

    model = NearestNeighbors(n_neighbors=3)
    assert not hasattr(model, "examples_")
    assert model.fit([[0], [1], [5]], [0, 0, 1]) is model
    assert model.votes([0.2]) == {0: 2, 1: 1}
    assert model.predict([[0.2]]).tolist() == [0]


@pytest.mark.parametrize("digit, strokes", [
    (1, [[(0.5, 0.1), (0.5, 0.9)]]),
    (0, [[(0.5, 0.1), (0.25, 0.3), (0.25, 0.7), (0.5, 0.9), (0.75, 0.7), (0.75, 0.3), (0.5, 0.1)]]),
    (7, [[(0.2, 0.1), (0.8, 0.1), (0.4, 0.9)]]),
])
def test_drawing_a_digit_makes_the_view_guess_it(digit, strokes):
    from course.widgets import DrawAndGuess

    widget = DrawAndGuess()
    assert widget.view.guess is None
    for stroke in strokes:
        widget.pad.draw_stroke(stroke)
    assert widget.view.guess == digit
    assert f"My guess: {digit}" in widget.view.output.value


def test_pad_pixels_look_like_digits_data_and_clear_resets():
    from course.widgets import DrawingPad

    pad = DrawingPad()
    pad.draw_stroke([(0.5, 0.1), (0.5, 0.9)])
    assert pad.pixels.shape == (8, 8) and pad.pixels.max() <= 16 and pad.pixels.sum() > 0
    pad.clear()
    assert pad.pixels.sum() == 0 and pad.strokes == []


def test_keyboard_twin_paints_cells():
    from course.widgets import DrawingPad

    pad = DrawingPad()
    for row in range(8):
        pad.paint_cell(row, 4)
    assert pad.pixels[:, 3:5].sum() > pad.pixels[:, :2].sum() + 50


def test_slider_twin_changes_the_vote():
    from course.widgets import DrawAndGuess

    widget = DrawAndGuess()
    widget.pad.draw_stroke([(0.2, 0.1), (0.8, 0.1), (0.4, 0.9)])
    widget.view.slider.value = 1
    one = widget.view.output.value
    widget.view.k = 9
    assert widget.view.slider.value == 9
    assert widget.view.output.value != one and "The 9 closest" in widget.view.output.value


def test_kchooser_shows_the_line_to_copy():
    from course.widgets import KChooser

    chooser = KChooser({1: 40, 2: 30, 3: 35}, total=300, name="answer_k")
    chooser.slider.value = 2
    assert "30 of 300" in chooser.output.value and "answer_k = 2" in chooser.output.value
    assert "write" not in KChooser({1: 40, 2: 30}, total=300, name=None).output.value


def test_digits_load_without_importing_sklearn():
    """e03's first pictures wait on the digits: they come from scikit-learn's bundled file, the
    same numbers as ``load_digits``, without the seconds of importing scikit-learn."""
    code = ("import sys; from course.digits import load_examples; d = load_examples(); "
            "print('sklearn' in sys.modules, d.images.shape, d.images.dtype, d.labels.dtype, "
            "float(d.images.sum()), int(d.labels.sum()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    assert out.stdout.split()[0] == "False", out.stdout  # sklearn was not imported
    assert out.stdout.strip() == (f"False (1797, 64) float64 int64 {float(X.sum())} "
                                  f"{int(y.sum())}")


def test_noisy_examples_make_one_neighbour_worse_than_nine():
    from course.digits import load_examples, mistakes_by_k

    mistakes = mistakes_by_k(load_examples("noisy"), load_examples("test"))
    assert min(mistakes, key=mistakes.get) == 9 and mistakes[1] > 2 * mistakes[9]


def test_the_mistakes_plot_says_what_it_shows(monkeypatch):
    """JupyterLab shows the plot as HTML with alt text that gives the numbers and the best k;
    nbconvert (the feedback page) shows the PNG with the same alt text from its metadata."""
    import IPython.display

    from course.digits import plot_mistakes

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    plot_mistakes({1: 40, 3: 12, 5: 15})
    [((bundle,), options)] = shown
    alt = bundle["text/plain"]
    assert "k=1: 40, k=3: 12, k=5: 15" in alt and "12 with k = 3" in alt
    assert f'alt="{alt}"' in bundle["text/html"] and "data:image/png;base64," in bundle["text/html"]
    assert bundle["image/png"] and options["metadata"] == {"image/png": {"alt": alt}}


def test_feedback_shows_a_plot_as_png_with_its_alt_text():
    """The sanitizer would leave the HTML copy of a plot without its picture: the PNG is kept."""
    from autograder.grading.nbgrader_plugins import SanitizeStudentHTML

    png = "iVBORw0KGgo="
    cell = nbformat.v4.new_code_cell("plot_mistakes(m)", outputs=[nbformat.v4.new_output(
        "display_data", metadata={"image/png": {"alt": "A plot"}},
        data={"text/html": f'<img src="data:image/png;base64,{png}" alt="A plot">',
              "image/png": png, "text/plain": "A plot"})])
    nb, _resources = SanitizeStudentHTML().preprocess(nbformat.v4.new_notebook(cells=[cell]), {})
    [output] = nb.cells[0].outputs
    assert set(output.data) == {"image/png", "text/plain"} and output.metadata["image/png"]["alt"]


def test_catalogs_agree_where_they_share_a_message():
    """The ja catalogs are merged, so one message must have one translation everywhere."""
    from course.catalogs import LOCALE_DIR

    seen, clashes = {}, []
    for path in sorted((LOCALE_DIR / "ja").glob("*.po")):
        for msgid, msgstr in po_messages(path.read_text(encoding="utf-8")).items():
            if msgid in seen and seen[msgid][1] != msgstr:
                clashes.append(f"{msgid!r}: {seen[msgid][0]} says {seen[msgid][1]!r}, "
                               f"{path.name} says {msgstr!r}")
            seen.setdefault(msgid, (path.name, msgstr))
    assert len(seen) > 100 and not clashes, "\n".join(clashes)


def test_e03_widgets_speak_japanese(monkeypatch):
    import re

    from course.widgets import DrawAndGuess, KChooser

    monkeypatch.setenv("MANABU_LANG", "ja")
    widget = DrawAndGuess()
    widget.pad.draw_stroke([(0.5, 0.1), (0.5, 0.9)])
    chooser = KChooser({1: 40, 2: 30}, total=300)
    shown = [widget.pad.label, widget.pad.help, widget.pad.clear_label, widget.view.slider.description,
             re.sub(r"<[^>]+>", " ", widget.view.output.value),
             re.sub(r"<code>.*?</code>|<[^>]+>", " ", chooser.output.value)]
    english = [w for text in shown for w in re.findall(r"[A-Za-z]{2,}", text)
               if w not in {"Delete"}]
    assert english == [], english
    assert "わたしの答え" in shown[4]


def test_every_widget_family_lists_its_handlers_for_the_benchmark():
    """`make bench` times each widget's handlers (speed is measured there, never asserted here)."""
    import importlib
    import pkgutil

    import course.widgets

    families = [m.name for m in pkgutil.iter_modules(course.widgets.__path__)]
    assert len(families) >= 15
    for name in families:
        cases = importlib.import_module(f"course.widgets.{name}").bench_cases()
        assert cases, name
        for label, event in cases:
            assert isinstance(label, str) and label
            event()
            event()


def test_fuzzy_translations_are_never_used(tmp_path, monkeypatch):
    """A fuzzy entry is a translator's guess nobody checked: gettext shows the English."""
    import gettext
    import io

    from course import catalogs

    po = ('msgid ""\nmsgstr ""\n"Language: ja\\n"\n\n#, fuzzy\nmsgid "Clear"\nmsgstr "けす"\n\n'
          'msgid "Run"\nmsgstr "実行"\n')
    assert po_messages(po) == {"Run": "実行"}
    (tmp_path / "ja").mkdir()
    (tmp_path / "ja" / "x.po").write_text(po, encoding="utf-8")
    monkeypatch.setattr(catalogs, "LOCALE_DIR", tmp_path)
    compiled = gettext.GNUTranslations(io.BytesIO(catalogs.compile_mo("ja")))
    assert (compiled.gettext("Clear"), compiled.gettext("Run")) == ("Clear", "実行")
    assert catalogs.compile_all(("ja",)) == [catalogs.mo_path("ja")]
    assert catalogs.is_current("ja")


def test_translations_come_from_the_compiled_catalog():
    from course.catalogs import is_current
    from course.i18n import translations

    translations.cache_clear()
    assert translator("ja")("Not yet: ") == "もう少し："
    assert is_current("ja")  # compiled on first use, then read by gettext


def test_glass_box_models_and_tables_need_no_widgets():
    """The grid world, the metrics and the tables run (and are graded) without ipywidgets."""
    import subprocess
    import sys

    code = ("import sys, course.models.gridworld, course.models.metrics, course.data.tables; "
            "assert 'ipywidgets' not in sys.modules, 'ipywidgets was imported'; "
            "from course.widgets.robot import GridWorld; "
            "assert GridWorld is course.models.gridworld.GridWorld")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- issue #15 item 4: the lessons in the order a class meets them --------------------------------
def test_grades_rise_along_the_catalog_in_both_languages():
    """manabu lessons, the start page and the builder use this order; new lessons get ids in any
    order (e09 at grade 5 after e08 at grade 6), so the grade, not the id, decides."""
    from course.catalog import BAND_ORDER, load_catalog

    for lang in ("en", "ja"):
        places = [(BAND_ORDER.index(lesson.band), lesson.grade) for lesson in load_catalog(lang)]
        assert places == sorted(places)
    assert [lesson.id for lesson in load_catalog("en")] == [lesson.id for lesson in load_catalog("ja")]


def test_the_catalog_orders_by_band_grade_and_id_not_by_id():
    from dataclasses import replace

    from course.catalog import catalog_key, load_catalog

    lessons = {lesson.id: lesson for lesson in load_catalog("en")}
    late = replace(lessons["e03"], id="e09", grade=5)  # a new lesson, as #14 adds them
    early_j = replace(lessons["j01"], id="j13", grade=7)
    ordered = [lesson.id for lesson in sorted([*lessons.values(), late, early_j], key=catalog_key)]
    assert ordered.index("e09") < ordered.index("e06") and ordered.index("e09") > ordered.index("e05")
    assert ordered.index("j13") < ordered.index("j02") and ordered.index("e08") < ordered.index("j01")


def test_within_a_grade_the_lessons_others_build_on_come_first():
    """The Python bridge (j11) opens junior high, before j01's functions, though both are grade
    7 and j01's id is smaller; a lesson nobody builds on keeps its id order."""
    from dataclasses import replace

    from course.catalog import load_catalog, sequence

    ids = [lesson.id for lesson in load_catalog("en")]
    assert ids.index("j11") < ids.index("j01") < ids.index("j02")
    lessons = {lesson.id: lesson for lesson in load_catalog("en")}
    swapped = [replace(lessons["e06"], builds_on=["e08"]), lessons["e07"], lessons["e08"]]
    assert [x.id for x in sequence(swapped)] == ["e07", "e08", "e06"]
    cycle = [replace(lessons["e07"], builds_on=["e08"]), replace(lessons["e08"], builds_on=["e07"])]
    assert [x.id for x in sequence(cycle)] == ["e07", "e08"]  # a cycle: key order, no hang


def test_every_lesson_builds_on_earlier_lessons_only():
    from course.catalog import load_catalog, order_problems

    for lang in ("en", "ja"):
        assert order_problems(load_catalog(lang)) == []
    en, ja = load_catalog("en"), load_catalog("ja")
    assert [(x.id, x.builds_on) for x in en] == [(x.id, x.builds_on) for x in ja]
    assert all(lesson.builds_on for lesson in en if lesson.id in ("j03", "j04", "j10"))


def test_builds_on_notices_a_later_or_unknown_lesson():
    from dataclasses import replace

    from course.catalog import load_catalog, order_problems

    lessons = load_catalog("en")
    at = {lesson.id: n for n, lesson in enumerate(lessons)}
    lessons[at["j03"]] = replace(lessons[at["j03"]], builds_on=["j04"])
    lessons[at["j05"]] = replace(lessons[at["j05"]], builds_on=["x99"])
    problems = order_problems(lessons)
    assert len(problems) == 2
    assert problems[0].startswith("j03 builds on j04, which comes later in the catalog")
    assert problems[1] == "j05 builds on x99, which is not a lesson"


@pytest.mark.parametrize("builds_on, message", [("j03", "must be a list of lesson ids"),
                                                (["three"], "must be a list of lesson ids"),
                                                (["j04"], "cannot build on itself")])
def test_a_broken_builds_on_is_refused_with_what_to_do(builds_on, message):
    from pathlib import Path

    from course.catalog import LessonError, split_front_matter, validate_entry

    path = Path("lessons/j04-overfitting/en.md")
    meta, _rest = split_front_matter(path.read_text(encoding="utf-8"), path)
    entry = {**meta["manabu"], "builds_on": builds_on}
    with pytest.raises(LessonError, match=message):
        validate_entry(entry, path)


def test_readme_lists_the_lessons_in_catalog_order_with_their_grades():
    import re
    from pathlib import Path

    from course.catalog import load_catalog

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Lessons", 1)[1].split("\n\n## ", 1)[0]
    rows = re.findall(r"^\| ([ej]\d\d) \| [^|]+ \| (\d) \|", table, flags=re.M)
    assert rows == [(lesson.id, str(lesson.grade)) for lesson in load_catalog("en")]
