"""The row-by-row export as it was before the columnar rewrite (commit 25bfe23).

Kept as the reference that `test_export_oracle.py` holds `workbench.export` to: the tables,
the nested records, the spaCy file, the summary and the diff must come out the same.
"""
