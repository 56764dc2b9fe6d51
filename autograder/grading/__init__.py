"""Grading a class: ``manabu grade``, nbgrader's plugins, feedback, the limits.

THE SECURITY BOUNDARY lives here: ``sandbox`` (starts and drives both sides),
``runner`` (the student's notebook, inside the sandbox), ``judge`` (the tests, in a
clean process) and ``answerdata`` (the only thing that crosses: plain data).
Student code is untrusted; review every change to those four modules."""
