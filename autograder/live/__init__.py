"""The live class view: while students work on a lesson, their teachers see how each exercise is
going, without any submission.

Students' kernels report each run of a graded cell (:mod:`course.live`); :mod:`.model` keeps the
class's state (in memory and a small file); :mod:`.page` is the teacher's page; :mod:`.hubservice`
serves it on the school hub (a hub-managed service, hub OAuth for teachers, students' own hub
tokens for events) and :mod:`.labext` in ``make lab`` (a Jupyter server extension).
"""
