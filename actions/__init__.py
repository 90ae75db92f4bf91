"""Custom actions for the back-dimples assistant (run by `python -m actions`).

Each module is small and thin: the decisions live in the plain-Python `screening`
package, which has no Rasa imports and is tested by tables.
"""
