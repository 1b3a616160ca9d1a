"""The Python tasks of ork's polyglot example (see steps.py)."""
