"""Every FAQ topic is answered, over HTTP, for questions worded unlike the training data.

tests/data/unseen_faq.yml holds two questions per topic that are not among the
training examples; the reply must be that topic's answer.
"""

import itertools

import pytest
import yaml

from scripts.conversation import buttons, texts
from scripts.processes import ROOT
from understanding.choice import TOPIC_QUESTIONS

pytestmark = pytest.mark.server

CONTRACT_TOPICS = [
    "what_are_back_dimples",
    "name_origin",
    "medical_term",
    "cause",
    "location",
    "exercise",
    "genetics",
    "who_has_them",
    "visibility",
    "acquire_later",
    "harmless",
    "sacral_dimple",
    "difference",
    "spina_bifida_occulta",
    "tethered_cord",
    "warning_signs",
    "tests",
    "when_to_see_doctor",
]
UNSEEN = yaml.safe_load((ROOT / "tests" / "data" / "unseen_faq.yml").read_text())
ANSWERS = {
    key.split("/", 1)[1]: value[0]["text"]
    for key, value in yaml.safe_load((ROOT / "data" / "responses" / "faq.yml").read_text())[
        "responses"
    ].items()
}
TRAINING_EXAMPLES = {
    line.strip()[2:].strip().lower()
    for path in (ROOT / "data" / "nlu").glob("*.yml")
    for block in yaml.safe_load(path.read_text()).get("nlu", [])
    for line in block.get("examples", "").splitlines()
    if line.strip().startswith("- ")
}
_ids = itertools.count()
_UNSEEN_RESULTS: list[int] = []  # per topic: unseen questions answered with it


def test_every_contract_topic_has_an_answer_and_unseen_questions():
    assert sorted(ANSWERS) == sorted(CONTRACT_TOPICS)
    assert sorted(UNSEEN) == sorted(CONTRACT_TOPICS)


@pytest.mark.parametrize("topic", CONTRACT_TOPICS)
def test_each_topic_is_answered_for_a_question_worded_unlike_the_training_data(
    rasa_server, topic, record_figure
):
    """Two unseen questions per topic; at least one must get this topic's answer
    (the issue's bar), and every miss is listed and counted in the run's figures."""
    questions = UNSEEN[topic]
    assert len(questions) == 2
    misses = []
    for question in questions:
        assert question.lower().strip() not in TRAINING_EXAMPLES, "question is in the training data"
        reply = texts(rasa_server.send(f"faq-{next(_ids)}", question))
        if ANSWERS[topic] not in reply:
            misses.append(f"{question!r} got: {reply[:120]!r}")
    _UNSEEN_RESULTS.append(len(questions) - len(misses))
    if len(_UNSEEN_RESULTS) == len(CONTRACT_TOPICS):
        record_figure(
            "unseen FAQ questions answered with their topic: "
            f"{sum(_UNSEEN_RESULTS)}/{2 * len(CONTRACT_TOPICS)}"
        )
    for miss in misses:
        print("MISS", topic, miss)
    assert len(misses) < len(questions), f"topic {topic} not answered:\n" + "\n".join(misses)


def _faq_buttons():
    """(response, title, payload, topic) of every button that asks an FAQ question:
    its payload is plain text, a training example of exactly one topic."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    faq = yaml.safe_load((ROOT / "data" / "nlu" / "faq.yml").read_text())["nlu"]
    topic_of = {
        line.strip()[2:].strip(): block["intent"].split("/", 1)[1]
        for block in faq
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    }
    buttons = []
    for name, variants in domain["responses"].items():
        for variant in variants:
            for button in variant.get("buttons", []):
                payload = button["payload"]
                if not payload.startswith("/"):
                    buttons.append((name, button["title"], payload, topic_of.get(payload)))
    return buttons


@pytest.mark.parametrize("response, title, payload, topic", _faq_buttons())
def test_every_faq_button_gets_its_answer(rasa_server, response, title, payload, topic):
    assert topic, f"the payload of {title!r} in {response} is no FAQ training example"
    assert ANSWERS[topic] in texts(rasa_server.send(f"button-{next(_ids)}", payload))


# Issue 9: ask instead of guessing. Over the real server, as a person would see it.
ASK_TOPIC = "Did you mean one of these?"
DELETE_QUESTION = "Do you want me to delete this conversation?"
URGENT_ADVICE = "get medical care today"
HELD_OUT = yaml.safe_load((ROOT / "tests" / "data" / "heldout_nlu.yml").read_text())
HELD_OUT_FAQ = [
    (label.split("/", 1)[1], text)
    for label, questions in HELD_OUT.items()
    if label.startswith("faq/")
    for text in questions
]
# Measured on the held-out questions (docs/nlu-pipeline.md); a few confident
# mistakes remain, and more of them would be a regression a person notices.
MAX_WRONG_TOPIC_ANSWERS = 6


def _answered_topics(reply: str):
    return [topic for topic, answer in ANSWERS.items() if answer in reply]


def test_held_out_faq_questions_get_their_answer_or_a_question_never_a_wrong_guess(
    rasa_server, record_figure
):
    """Each held-out FAQ question gets its topic's answer, or "Did you mean ...?"
    with buttons; another topic's answer is a wrong guess, and there must be few."""
    right, asked, asked_with_it, wrong = 0, 0, 0, []
    for topic, question in HELD_OUT_FAQ:
        replies = rasa_server.send(f"held-out-{next(_ids)}", question)
        reply = texts(replies)
        answered = _answered_topics(reply)
        if answered == [topic]:
            right += 1
        elif ASK_TOPIC in reply:
            asked += 1
            asked_with_it += TOPIC_QUESTIONS[topic] in buttons(replies)
        elif answered:
            wrong.append(f"{question!r} ({topic}) answered as {answered}")
    record_figure(
        f"held-out FAQ questions over HTTP: {right}/{len(HELD_OUT_FAQ)} answered right, "
        f"{asked} asked 'did you mean' ({asked_with_it} offering the right topic), "
        f"{len(wrong)} answered with another topic"
    )
    assert len(wrong) <= MAX_WRONG_TOPIC_ANSWERS, "\n".join(wrong)
    assert right >= 0.8 * len(HELD_OUT_FAQ)


@pytest.mark.parametrize(
    "question",
    [
        # Age: how they look as you get older, or whether they come later in life?
        "dimples and age",
        # Which change over time: how they look, or whether new ones come?
        "dimples over time",
    ],
)
def test_an_uncertain_question_gets_did_you_mean_and_each_button_answers(rasa_server, question):
    replies = rasa_server.send(f"unclear-{next(_ids)}", question)
    assert ASK_TOPIC in texts(replies), texts(replies)
    assert not _answered_topics(texts(replies)), "answered a topic although unsure"
    offered = [b for r in replies for b in r.get("buttons", [])]
    assert 3 <= len(offered) <= 4 and offered[-1]["title"] == "Something else"
    for button in offered[:-1]:
        topic = next(t for t, q in TOPIC_QUESTIONS.items() if q == button["payload"])
        answer = texts(rasa_server.send(f"unclear-tap-{next(_ids)}", button["payload"]))
        assert ANSWERS[topic] in answer, (button, answer)
    other = texts(rasa_server.send(f"unclear-{next(_ids)}", offered[-1]["payload"]))
    assert "ask it in other words" in other


@pytest.mark.parametrize(
    "message",
    [
        "my baby has a rash on her cheek",
        "what dose of paracetamol can i give my son",
        "my toddler has a cough",
    ],
)
def test_health_questions_outside_scope_get_a_kind_pointer_to_a_doctor_or_pharmacist(
    rasa_server, message
):
    reply = texts(rasa_server.send(f"health-{next(_ids)}", message))
    assert "doctor, nurse or pharmacist" in reply and "back dimples" in reply, reply
    assert URGENT_ADVICE not in reply.lower()


def test_do_they_fade_with_age_is_no_request_to_delete(rasa_server):
    replies = rasa_server.send(f"fade-{next(_ids)}", "do they fade with age")
    reply = texts(replies)
    assert DELETE_QUESTION not in reply
    assert ANSWERS["visibility"] in reply or TOPIC_QUESTIONS["visibility"] in buttons(replies)


def test_why_dont_i_have_any_is_a_question_not_a_no(rasa_server):
    replies = rasa_server.send(f"none-{next(_ids)}", "why don't I have any")
    reply = texts(replies)
    assert ANSWERS["who_has_them"] in reply or TOPIC_QUESTIONS["who_has_them"] in buttons(
        replies
    ), reply


@pytest.mark.parametrize("message", ["clear it", "remove that", "forget about the dimple"])
def test_a_doubtful_request_does_not_start_the_delete_flow(rasa_server, message):
    reply = texts(rasa_server.send(f"doubtful-{next(_ids)}", message))
    assert DELETE_QUESTION not in reply, reply


def test_an_uncertain_question_mid_screening_asks_which_then_carries_on(rasa_server):
    sender = f"unclear-mid-{next(_ids)}"
    assert "Who has the dimple?" in texts(rasa_server.send(sender, "/start_screening"))
    replies = rasa_server.send(sender, "dimples and age")
    assert ASK_TOPIC in texts(replies) and "Who has the dimple?" in texts(replies)
    replies = rasa_server.send(sender, "/something_else")
    assert "Who has the dimple?" in texts(replies)
