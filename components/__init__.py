"""Rasa-side parts of the assistant: an NLU component and a dialogue policy.

Rasa imports this package when it loads the model, so the speed fixes of
rasa_speedups and tracker_states and the session bound of long_conversations are
applied in every Rasa process that serves the assistant.
"""

from components import long_conversations, rasa_speedups, tracker_states

rasa_speedups.apply()
tracker_states.apply()
long_conversations.apply()
