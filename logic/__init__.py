"""Cobalt's pure core: case model, units, diagnosis, scores and the command line.

Nothing here imports streamlit or reads the clock; pages call these functions and render
what they return. ``python -m logic`` is the command-line contract in
``shared/design/case-format.md``.
"""
