"""Rasa-side parts of the assistant: an NLU component and a dialogue policy.

Rasa imports this package when it loads the model, so the speed fix of
rasa_speedups is applied in every Rasa process that serves the assistant.
"""

from components import rasa_speedups

rasa_speedups.apply()
