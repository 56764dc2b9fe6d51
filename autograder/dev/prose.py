"""Checks on what a student reads: English reading level, Japanese kanji by grade, no
leftover language. Used by the tests, and by lesson authors before they commit.

"Student-facing" means markdown cells (not teacher notes, not the teacher's sample
answers and rubrics), comments in code cells, and string literals in code cells (check messages).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

from autograder.build.lessonfile import is_teacher_cell
from autograder.build.lessonrules import is_rubric_cell
from autograder.dev.ruby import ruby_as_parentheses

KANJI_RUN = re.compile(r"[\u3400-\u9fff々]+")
READING = re.compile(r"（[ぁ-んァ-ンー・]+）")
INLINE_CODE = re.compile(r"`[^`]*`")
FENCE = re.compile(r"```.*?```", re.S)
# Words that stay in Latin letters in Japanese text: key names and proper names.
LATIN_OK = {"AI", "Shift", "Enter", "Space", "Delete", "Tab", "Esc", "Jupyter", "JupyterLab",
            "Manabu", "OK", "ID", "PC"}


def _is_answer(cell) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("solution"))


def markdown_text(source: str) -> str:
    """Markdown without code spans, fences, link targets and markup symbols."""
    text = FENCE.sub(" ", source)
    text = INLINE_CODE.sub(" ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = ruby_as_parentheses(text)  # furigana: 漢字 with its <rt> reads as 漢字（かんじ）
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"^\s*(#+|[-*]|\d+\.|\|)", " ", text, flags=re.M)
    return re.sub(r"[*_|#>\[\]]", " ", text)


def code_parts(source: str) -> tuple[list[str], list[str]]:
    """(comments, string literals) of a code cell; nbgrader markers are not comments."""
    comments, strings = [], []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT and not tok.string.startswith("### "):
                comments.append(tok.string.lstrip("# "))
            elif tok.type == tokenize.STRING:
                try:
                    value = ast.literal_eval(tok.string)
                except (ValueError, SyntaxError):
                    continue
                if isinstance(value, str):
                    strings.append(value)
    except (tokenize.TokenError, IndentationError):
        pass
    return comments, strings


def student_texts(nb, strings: bool = True) -> list[tuple[str, str]]:
    """[(where, text)] a student reads; ``strings`` adds string literals of code cells."""
    out = []
    for index, cell in enumerate(nb.cells, 1):
        if is_teacher_cell(cell) or is_rubric_cell(cell) or (_is_answer(cell) and cell.cell_type == "markdown"):
            continue
        if cell.cell_type == "markdown":
            out.append((f"cell {index}", markdown_text(cell.source)))
        elif cell.cell_type == "code":
            source = cell.source.split("### BEGIN SOLUTION")[0]
            comments, literals = code_parts(cell.source if "### BEGIN HIDDEN" in cell.source else source)
            out += [(f"cell {index} comment", c) for c in comments]
            if strings:
                out += [(f"cell {index} string", s) for s in literals]
    meta = nb.metadata.get("manabu", {})
    out.append(("front matter title", str(meta.get("title", ""))))
    out += [("front matter objectives", str(o)) for o in meta.get("objectives", [])]
    return out


def fk_grade(nb) -> float:
    """Flesch–Kincaid grade of the English prose and comments a student reads (code excluded)."""
    import textstat

    text = "\n".join(t for _w, t in student_texts(nb, strings=False))
    sentences = [s.strip() for s in re.split(r"(?<=[.!?:])\s+|\n\s*\n|\n(?=\s*\S)", text) if s.strip()]
    return float(textstat.flesch_kincaid_grade(".\n".join(s.rstrip(".") for s in sentences) + "."))


def allowed_kanji(band: str, grade: int) -> set[str]:
    """Elementary: 教育漢字 (2020) of grades 1..grade. Junior high: the 常用漢字."""
    import kanji_lists

    if band == "elementary":
        lists = [getattr(kanji_lists.KYOIKU.REIWA2, f"GRADE{g}") for g in range(1, grade + 1)]
        return set().union(*lists)
    return set(kanji_lists.JOYO)


def kanji_problems(nb, band: str, grade: int) -> list[str]:
    """Each kanji beyond the allowed list without its reading: as ruby (``<ruby>漢字<rt>かんじ</rt>
    </ruby>``, in Markdown) or in （かな） after it."""
    allowed = allowed_kanji(band, grade)
    problems = []
    for where, text in student_texts(nb):
        for match in KANJI_RUN.finditer(text):
            bad = [k for k in match.group() if k not in allowed and k != "々"]
            if bad and not READING.match(text, match.end()):
                problems.append(f"{where}: {''.join(bad)} in 「{match.group()}」 — write it in kana "
                                f"or add the reading: {match.group()}（よみかた）")
    return problems


def readings_count(nb) -> int:
    """How many words carry a reading (ruby, or full-width parentheses)."""
    return sum(len(READING.findall(text)) for _w, text in student_texts(nb))


def english_left(nb) -> list[str]:
    """Latin-letter words in Japanese student text (code spans, key names and letters aside)."""
    found = []
    for where, text in student_texts(nb, strings=False):
        for word in re.findall(r"[A-Za-z]{2,}", text):
            if word not in LATIN_OK:
                found.append(f"{where}: {word}")
    return found


def japanese_left(nb) -> list[str]:
    """Japanese characters in English student text."""
    return [f"{where}: {text.strip()[:40]}" for where, text in student_texts(nb)
            if re.search(r"[\u3040-\u30ff\u3400-\u9fff]", text)
            and not where.startswith("front matter")]
