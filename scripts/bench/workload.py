"""What the bots are measured with: scripted conversations and the answers they must give."""

import threading
from typing import Any, ClassVar, Dict, List, Tuple

from scripts.conversation import Conversation, Turn, texts


class Step:
    """One message, what the reply must contain (every string of `expect`), and its
    kind for the latency breakdown: "faq", "screening" or "other"."""

    def __init__(self, text: str, expect: List[str], kind: str = "other"):
        self.text = text
        self.expect = expect
        self.kind = kind


class Check:
    """Counts messages and wrong answers; keeps the first few for the report."""

    def __init__(self):
        self.lock = threading.Lock()
        self.wrong = 0
        self.errors = 0
        self.examples: List[str] = []

    def reply(self, sender: str, step: Step, turn: Turn) -> None:
        if turn.status != 200 or not isinstance(turn.replies, list):
            self.add(
                "errors",
                f"{sender}: {step.text!r} -> HTTP {turn.status} {str(turn.replies)[:200]!r}",
            )
            return
        text = texts(turn.replies)
        missing = [e for e in step.expect if e not in text]
        if missing:
            self.add(
                "wrong", f"{sender}: {step.text!r} -> {text[:160]!r} (expected {missing[0][:60]!r})"
            )

    def add(self, kind: str, example: str) -> None:
        with self.lock:
            setattr(self, kind, getattr(self, kind) + 1)
            if len(self.examples) < 5:
                self.examples.append(example)


def response_text(domain: Dict[str, Any], name: str) -> str:
    """The text of a response's variation without conditions (the first one if all have
    them)."""
    variations = domain["responses"][name]
    plain = [v for v in variations if not v.get("condition")] or variations
    return plain[0]["text"]


class OurScript:
    """The conversations our bot is measured with, and the answers it must give.

    A parent checks a baby's single dimple low in the middle, by buttons and in words:
    no urgent sign, a skin tag said in words (the advice is settled there: see a
    doctor), then "finish the summary", "not sure" about the dimple itself (each of its
    signs asked on its own), and nothing else. The question words come from the
    screening's own modules (screening.asking) and the served model's domain, so the
    script follows their wording; the order is the one docs/screening.md describes.
    """

    FAQ_MID_SCREENING = ("what is a tethered spinal cord?", "tethered_cord")
    EXPECTED_RESULT = "refer"  # a skin tag and a "not sure" lead to a referral

    # (question, topic): one question per FAQ topic, fixed so that the workload does
    # not change when the training data does (they were training examples when
    # this was written; the expected answers come from the served model's domain).
    FAQ: ClassVar[List[Tuple[str, str]]] = [
        ("what are back dimples", "what_are_back_dimples"),
        ("why are they called dimples of venus", "name_origin"),
        ("what is the medical term for back dimples", "medical_term"),
        ("what causes back dimples", "cause"),
        ("where are back dimples located", "location"),
        ("can I get back dimples by working out", "exercise"),
        ("are back dimples genetic", "genetics"),
        ("does everyone have back dimples", "who_has_them"),
        ("why are my back dimples less visible now", "visibility"),
        ("can you get back dimples later in life", "acquire_later"),
        ("are back dimples dangerous", "harmless"),
        ("what is a sacral dimple", "sacral_dimple"),
        ("what's the difference between back dimples and a sacral dimple", "difference"),
        ("what is spina bifida occulta", "spina_bifida_occulta"),
        ("what is a tethered spinal cord", "tethered_cord"),
        ("what are the warning signs with a sacral dimple", "warning_signs"),
        ("what tests are done for a sacral dimple", "tests"),
        ("when should I see a doctor about a sacral dimple", "when_to_see_doctor"),
    ]

    def __init__(self, domain: Dict[str, Any]):
        self.domain = domain
        self.faq = self.FAQ

    def text(self, name: str) -> str:
        return response_text(self.domain, name)

    def conversation(self, index: int) -> List[Step]:
        from screening.asking import AS_WELL, ENOUGH, GROUP_LEAD, GROUP_QUESTION
        from screening.findings import MORE_FINISH, MORE_SLOT

        faq_a = self.faq[index % len(self.faq)]
        faq_b = self.faq[(index + len(self.faq) // 2) % len(self.faq)]
        question, topic = self.FAQ_MID_SCREENING
        marks = GROUP_LEAD["signs_marks"]
        # The FAQ questions come after the screening: a question such as "why are
        # they called dimples of venus" is read for findings too, and would change
        # which screening questions are asked (see docs/performance.md).
        return [
            Step("hello there", [self.text("utter_greet")]),
            Step("/start_screening", [self.text("utter_ask_subject")], "screening"),
            Step(
                '/inform{"subject": "baby"}', [self.text("utter_ask_dimple_pattern")], "screening"
            ),
            # one dimple low in the middle: higher up, more than one and off to one side
            # are answered too
            Step(
                '/inform{"dimple_pattern": "one_midline"}',
                [GROUP_QUESTION["signs_urgent"]],
                "screening",
            ),
            Step("/deny", [marks], "screening"),
            Step(question, [self.text(f"utter_faq/{topic}"), marks], "faq"),
            # hair and marks ruled out, a skin tag found: enough to see a doctor
            Step("no hair or marks, but there's a little skin tag", [ENOUGH], "screening"),
            Step(f'/inform{{"{MORE_SLOT}": "{MORE_FINISH}"}}', [AS_WELL], "screening"),
            Step("/deny", [GROUP_LEAD["signs_dimple"]], "screening"),
            Step("I honestly can't tell", [self.text("utter_ask_deep")], "screening"),
            Step("/deny", [self.text("utter_ask_large")], "screening"),
            Step("/deny", [GROUP_LEAD["signs_crease"]], "screening"),
            Step("/deny", ["doctor"], "screening"),
            Step("thank you", [self.text("utter_you_are_welcome")]),
            Step(faq_a[0], [self.text(f"utter_faq/{faq_a[1]}")], "faq"),
            Step(faq_b[0], [self.text(f"utter_faq/{faq_b[1]}")], "faq"),
        ]

    def verify_outcome(self, chat: Conversation, check: Check) -> None:
        """After the timed phase: the screening must have ended in the expected result."""
        try:
            result = chat.slots().get("screening_result")
        except AssertionError:  # the tracker could not be read
            result = None
        if result != self.EXPECTED_RESULT:
            check.add(
                "wrong",
                f"{chat.id}: screening_result {result!r}, expected {self.EXPECTED_RESULT!r}",
            )


class StockScript:
    """The starter bot's own conversation (its stories and rules)."""

    def __init__(self, domain: Dict[str, Any]):
        self.domain = domain

    def conversation(self, index: int) -> List[Step]:
        def text(name: str) -> str:
            return response_text(self.domain, name)

        return [
            Step("hello there", [text("utter_greet")]),
            Step("I am sad", [text("utter_cheer_up"), text("utter_did_that_help")]),
            Step("yes", [text("utter_happy")]),
            Step("are you a bot?", [text("utter_iamabot")]),
            Step("I am great", [text("utter_happy")]),
            Step("goodbye", [text("utter_goodbye")]),
        ]

    def verify_outcome(self, chat: Conversation, check: Check) -> None:
        pass
