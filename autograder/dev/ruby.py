"""Furigana as ``<ruby>``: turn readings written as 漢字（かんじ） into ruby in lesson prose.

    python -m autograder.dev.ruby lessons/e09-*/ja.md     # rewrites the files in place

Only the Markdown a student reads changes: the front matter (catalog titles are plain text),
code cells, teacher notes and rubrics keep the （かな） form, which the kanji rule
(:mod:`autograder.dev.prose`) also accepts. The reading covers the whole run of kanji before
it, as the kanji rule reads it; check each change (``git diff``) where it should cover less.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PAREN_READING = re.compile(r"([\u3400-\u9fff々]+)（([ぁ-んァ-ンー・]+)）")
BOLD_READING = re.compile(r"\*\*([\u3400-\u9fff々]+)（([ぁ-んァ-ンー・]+)）\*\*")
RUBY = re.compile(r"<ruby>(.*?)</ruby>", re.DOTALL)
RP = re.compile(r"<rp>.*?</rp>", re.DOTALL)
RT = re.compile(r"<rt>(.*?)</rt>", re.DOTALL)


def ruby(kanji: str, reading: str) -> str:
    """``<ruby>kanji<rt>reading</rt></ruby>``: the furigana the extension lets through."""
    return f"<ruby>{kanji}<rt>{reading}</rt></ruby>"


def ruby_as_parentheses(text: str) -> str:
    """Each ``<ruby>漢字<rt>かんじ</rt></ruby>`` as 漢字（かんじ） (``<rp>`` dropped, and bold marks
    in it: ``<ruby>**漢字**<rt>…``): how the kanji rule reads furigana."""
    def plain(match: re.Match) -> str:
        return re.sub(r"[*_]", "", RT.sub(r"（\1）", RP.sub("", match.group(1))))

    return RUBY.sub(plain, text)


def to_ruby(lesson_text: str) -> str:
    """A lesson file with its student-facing （かな） readings written as ruby."""
    out, fence, front, skip = [], False, False, False
    for number, line in enumerate(lesson_text.split("\n")):
        if number == 0 and line.strip() == "---":
            front = True
        elif front and line.strip() == "---":
            front = False
        elif not front and line.startswith("```"):
            fence = not fence
        elif not front and not fence and line.startswith("+++"):
            skip = '"teacher"' in line  # a new Markdown cell: teacher notes stay as they are
        elif "### BEGIN HIDDEN TESTS" in line:
            skip = True                 # a rubric, inside a student cell: for the teacher
        elif "### END HIDDEN TESTS" in line:
            skip = False
        elif not (front or fence or skip):
            # **漢字（かんじ）** keeps its bold inside the ruby: Markdown does not see ** next
            # to a tag between Japanese letters as bold
            line = BOLD_READING.sub(lambda m: ruby(f"**{m.group(1)}**", m.group(2)), line)
            line = PAREN_READING.sub(lambda m: ruby(m.group(1), m.group(2)), line)
        out.append(line)
    return "\n".join(out)


def main(paths: list[str]) -> int:
    """Rewrite each lesson file in place; print how many readings became ruby."""
    for path in map(Path, paths):
        text = path.read_text(encoding="utf-8")
        new = to_ruby(text)
        path.write_text(new, encoding="utf-8")
        print(f"{path}: {new.count('<ruby>') - text.count('<ruby>')} readings as ruby")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
