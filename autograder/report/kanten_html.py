"""The style of the 観点別 section of the class report (its markup: templates/pages/kanten.html.j2;
one row per student, A/B/C and % per 観点)."""

from __future__ import annotations

STYLE = """
td.kanten{text-align:center;white-space:nowrap;font-variant-numeric:tabular-nums}
td.kanten b{font-size:1.15em}
td.kanten-C{background:#fff0e6}
td.pending{color:#6b2f57}
"""
