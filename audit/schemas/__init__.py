"""Cerberus schemas: the single definition of every hand-written input format.

Validation, the JSON Schema export (``audit checklists schema``) and the format reference in
docs/ are all generated from these dictionaries.
"""
