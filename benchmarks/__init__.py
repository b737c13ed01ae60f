"""Benchmarks of the workbench against Label Studio itself (see run.py)."""
