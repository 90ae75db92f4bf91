"""Rasa-side parts of the assistant: an NLU component and a dialogue policy.

Rasa imports this package when it loads the model, so the speed fixes of
rasa_speedups, tracker_states, selector_speed, action_calls, action_bodies and
decided_by_rule, the arrival-order gate of message_gate and the session bound of
long_conversations are applied in every Rasa process that serves the assistant.
"""

from components import (
    action_bodies,
    action_calls,
    decided_by_rule,
    long_conversations,
    message_gate,
    rasa_speedups,
    selector_speed,
    tracker_states,
)

rasa_speedups.apply()
tracker_states.apply()
selector_speed.apply()
action_calls.apply()
action_bodies.apply()
decided_by_rule.apply()
message_gate.apply()  # around action_calls' wrapper: a message's sessions open once it is in
long_conversations.apply()
