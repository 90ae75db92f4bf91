"""What to do with what the NLU model read: answer, ask "did you mean ...?", or ask again.

Plain Python with no Rasa imports, tested by tables (tests/test_understanding.py);
the Rasa component (components/faq_topic_gate.py) and the action that asks
(actions/faq_clarify.py) only call it.
"""
