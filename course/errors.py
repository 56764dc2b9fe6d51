"""One friendly line, in the course language, for each error a child can cause.

:func:`explain` turns an exception into a sentence that says what happened and what to do;
:func:`course.checks.friendly_error_text` and the IPython handler that
:func:`course.checks.install_friendly_errors` installs show it instead of a traceback.
"""

from __future__ import annotations

import ast
import difflib
import re

from course.i18n import _


def kind_names() -> dict[str, str]:
    """Python's type names as a child knows them, in the course language."""
    number, items = _("number"), _("list")
    return {"str": _("text"), "int": number, "float": number, "complex": number,
            "bool": "True/False", "list": items, "tuple": items, "ndarray": items,
            "dict": _("dictionary"), "set": _("set"), "NoneType": _("nothing (None)"),
            "function": _("function")}


def cell_line(value: BaseException, tb) -> int:
    """The line of the running cell where ``value`` happened (1 if unknown)."""
    if isinstance(value, SyntaxError):
        return value.lineno or 1
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "<module>":
            return tb.tb_lineno
        tb = tb.tb_next
    return 1


def _innermost_function(tb) -> str | None:
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    name = tb.tb_frame.f_code.co_name if tb is not None else None
    return None if not name or name.startswith("<") else name


def _syntax(value: SyntaxError) -> str:
    msg, line = str(value.msg or ""), value.lineno or 1
    char = re.search(r"character '(.)'|U\+([0-9A-Fa-f]{4,6})", msg)
    if char:
        shown = char.group(1) or chr(int(char.group(2), 16))
        shown = _("full-width space") if shown == "\u3000" else shown
        return _("Line {line}: Python cannot read the character {char}. Switch the keyboard to "
                 "half-width input and type it again.").format(line=line, char=shown)
    if "unterminated" in msg or "EOL while" in msg or "EOF while" in msg:
        return _("Line {line}: a quote is missing. Put a quote before and after the text, "
                 'like "b".').format(line=line)
    if any(w in msg for w in ("never closed", "unmatched", "does not match", "incomplete input")):
        return _("Line {line}: a bracket is not closed, or there is one too many. Count the "
                 "( [ {{ and ) ] }}.").format(line=line)
    text, at = value.text or "", (value.offset or 0) - 1
    stuck = 0 < at < len(text) and text[at - 1].isdigit() and text[at].isalpha()
    if "decimal literal" in msg or (stuck and msg.startswith("invalid syntax")):
        return _("Line {line}: a number has letters stuck to it. Write only the digits, "
                 "like 3.").format(line=line)
    if msg == "expected ':'":
        return _("Line {line}: a colon (:) is missing at the end of the line (after def, if or "
                 "for).").format(line=line)
    if msg.startswith("invalid syntax") and text.rstrip().endswith("="):
        return _("Line {line}: write your answer after the = sign.").format(line=line)
    if msg.startswith("invalid syntax") and re.match(r"\s*[^\W\d]\w* +\w+ *=[^=]", text):
        return _("Line {line}: a name cannot have a space in it. Use _ instead, like "
                 "answer_why.").format(line=line)
    if "forgot a comma" in msg:
        return _("Line {line}: a comma (,) is missing between two things. Put one in.").format(
            line=line)
    if "unexpected indent" in msg:
        return _("Line {line} starts with spaces it should not have. Delete the spaces at the "
                 "start of the line.").format(line=line)
    if "expected an indented block" in msg:
        return _("Line {line} needs 4 spaces at the start, because it belongs to the line above "
                 "(def, if or for).").format(line=line)
    if isinstance(value, IndentationError):
        return _("Line {line}: the spaces at the start do not line up with the lines above. "
                 "Use 4 spaces for each step in.").format(line=line)
    return _("Python cannot read line {line}. Look for a missing quote, bracket, comma or =, "
             "and type in half-width.").format(line=line)


def _quote_example(name: str, source: str) -> str | None:
    """``answer = "b"`` if ``source`` uses ``name`` where a word in quotes was meant, else None."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None

    def bare(node) -> bool:  # the name itself, or inside a written list/dict/set
        if isinstance(node, ast.Name):
            return node.id == name
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return any(bare(e) for e in node.elts)
        if isinstance(node, ast.Dict):
            return any(bare(e) for e in [*node.keys, *node.values] if e is not None)
        return False

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and bare(node.value):
            if isinstance(node.value, ast.Name):
                return f'{ast.unparse(node.targets[0])} = "{name}"'
            return f'"{name}"'
    return None


def _compared(name: str, source: str) -> bool:
    """True if ``source`` has a line ``name == ...``: == typed for =."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return any(isinstance(node, ast.Expr) and isinstance(node.value, ast.Compare)
               and isinstance(node.value.left, ast.Name) and node.value.left.id == name
               and isinstance(node.value.ops[0], ast.Eq) for node in tree.body)


def _name_error(value: NameError, source: str, names) -> str:
    name = getattr(value, "name", None) or (re.findall(r"'([^']+)'", str(value)) or ["?"])[0]
    if _compared(name, source):
        return _("To give {name} a value, use one = sign: {name} = ... (== only compares)."
                 ).format(name=name)
    example = _quote_example(name, source)
    if example:
        return _("Python does not know '{name}'. If it is a word or a letter, put it in "
                 "quotes: {example}. A number needs no quotes.").format(name=name, example=example)
    close = difflib.get_close_matches(name, [n for n in names if not n.startswith("_")], n=1)
    if close:
        return _("There is no '{name}'. Did you mean '{match}'? Fix the spelling and run the "
                 "cell again.").format(name=name, match=close[0])
    return _("'{name}' is not there yet. Write it in the cell above, run that cell "
             "(Shift+Enter), then run this one again.").format(name=name)


def _type_error(value: TypeError) -> str:
    msg = str(value)
    if "NoneType" in msg:
        return _("Something gave no value (None). Does your function end with return and a "
                 "value? Finish it, run its cell, then run this one again.")
    if "argument" in msg:
        return _("A function got too many or too few values in its ( ). Look at the example "
                 "and fix the call.")
    kinds, names = [], kind_names()
    for type_name in re.findall(r"\w+", msg):
        kind = names.get(type_name)
        if kind and kind not in kinds:
            kinds.append(kind)
    return _("The answer is the wrong kind of value here ({kinds}). Numbers have no quotes: 5. "
             'Words and letters have quotes: "b". Look at the example and fix the answer.'
             ).format(kinds=", ".join(kinds) or "?")


def explain(etype: type, value: BaseException, tb=None, source: str = "",
            names=()) -> str | None:
    """One line saying what went wrong and what to do, or None for errors no child causes.

    ``source`` is the running cell (to see a missing quote), ``names`` the names the
    student has (to suggest a spelling).
    """
    if isinstance(value, SyntaxError):
        return _syntax(value)
    if isinstance(value, NameError):
        return _name_error(value, source, names)
    if isinstance(value, NotImplementedError):
        function = _innermost_function(tb)
        if function:
            return _("{function}() is not written yet. In its cell, replace raise "
                     "NotImplementedError() with your code, run that cell, then run this one "
                     "again.").format(function=function)
        return _("This part is not written yet: replace raise NotImplementedError() with your "
                 "code.")
    if isinstance(value, TypeError):
        return _type_error(value)
    if isinstance(value, KeyError):
        return _("There is no {key} in the dictionary. Check the spelling of the words in "
                 "quotes.").format(key=repr(value.args[0]) if value.args else "?")
    if isinstance(value, IndexError):
        return _("The list has no item at that place. Places count from 0: the first is [0].")
    if isinstance(value, ZeroDivisionError):
        return _("A number was divided by 0, which cannot be done. Check the numbers.")
    if isinstance(value, ModuleNotFoundError):
        return _("There is no module called '{name}'. Check the spelling after import."
                 ).format(name=value.name or "?")
    if isinstance(value, AttributeError):
        found = re.findall(r"'([^']+)'", str(value))
        return _("'{thing}' has no '{attr}'. Check the spelling after the dot.").format(
            thing=found[0] if found else "?", attr=found[-1] if len(found) > 1 else "?")
    if isinstance(value, RecursionError):
        return _("A function calls itself again and again and never ends. Make sure it stops.")
    if isinstance(value, ValueError):
        return _("A value here cannot be used. Check the numbers and words in your answer.")
    if isinstance(value, MemoryError):
        return _("This needs too much memory. Make the data smaller.")
    if isinstance(value, Exception):
        return _("Python stopped with an error ({error}) on line {line}. Read that line, fix "
                 "it, and run the cell again.").format(error=etype.__name__,
                                                       line=cell_line(value, tb))
    return None
