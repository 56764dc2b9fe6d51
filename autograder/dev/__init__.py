"""Maintainer tools: benchmarks, executing lessons, the prose checks."""
