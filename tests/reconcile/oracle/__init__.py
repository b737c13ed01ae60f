"""The first, loop-per-item implementation of span agreement, alignment and span consensus.

Kept as the reference that `test_reconcile_oracle.py` holds the vectorised `spanindex` to:
only what `spanindex` replaced lives here (each module's docstring is the original's); the
rest (categorical metrics, vote, Dawid–Skene, records, rows) is imported from `workbench`.
"""
