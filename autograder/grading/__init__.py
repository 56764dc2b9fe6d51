"""Grading a class: ``manabu grade``, nbgrader's plugins, feedback, the limits.

THE SECURITY BOUNDARY lives here: ``sandbox`` (starts and drives both sides),
``runner`` (the student's notebook, inside the sandbox), ``zygote`` and ``zygote_client``
(a pre-imported sandboxed parent that forks each submission's runner into namespaces of its
own), ``judge`` (the tests, in a clean process) and ``answerdata`` (the only thing that
crosses: plain data). Student code is untrusted; review every change to those modules."""
