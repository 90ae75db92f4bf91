"""components/tracker_states.py: Rasa's own applied events and past states, for every
tracker Rasa builds from the project's stories and rules, hand-made conversations with
forms, undos, rewinds, restarts and new sessions, and every prefix of each, asked after
every event (so that the remembered folds and replays are gone on from) and afresh."""

import contextlib
import copy
import itertools
import operator
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Set

import pytest
from rasa.shared.core.constants import RULE_ONLY_LOOPS, RULE_ONLY_SLOTS, SHOULD_NOT_BE_SET
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from components import tracker_states  # importing the package applies the fix

ROOT = Path(__file__).resolve().parents[1]
FORM = "screening_form"


@contextlib.contextmanager
def rasas_own() -> Iterator[None]:
    """Rasa's original functions in place of every one this module replaces."""
    from rasa.core.policies.rule_policy import RulePolicy

    places = [
        (DialogueStateTracker, "applied_events", tracker_states._rasa_applied_events),
        (Domain, "states_for_tracker_history", tracker_states._rasa_states_for_tracker_history),
        (DialogueStateTracker, "__init__", tracker_states._rasa_tracker_init),
        (RulePolicy, "_get_possible_keys", tracker_states._rasa_get_possible_keys),
    ]
    ours = [getattr(owner, name) for owner, name, _ in places]
    for owner, name, rasas in places:
        setattr(owner, name, rasas)
    try:
        yield
    finally:
        for (owner, name, _), fast in zip(places, ours, strict=True):
            setattr(owner, name, fast)


# Slots made to influence the conversation in the second domain (none does in ours), so
# that the states show slots of every kind.
INFLUENCING = ("subject", "dimple_pattern", "red_flags", "screening_interrupted")


def project_domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def domain_with_slots_in_states() -> Domain:
    as_dict = project_domain().as_dict()
    for name in INFLUENCING:
        as_dict["slots"][name]["influence_conversation"] = True
    return Domain.from_dict(as_dict)


@pytest.fixture(scope="module", params=["project", "slots in states"])
def domain(request: Any) -> Domain:
    return project_domain() if request.param == "project" else domain_with_slots_in_states()


@pytest.fixture(scope="module")
def rule_only_data() -> Dict[str, Any]:
    """Slots and loops of rules only, as RulePolicy passes them (the form and a slot
    that the second domain shows, so that taking them out changes the states)."""
    return {RULE_ONLY_SLOTS: ["subject"], RULE_ONLY_LOOPS: [FORM]}


@pytest.fixture(scope="module")
def training_event_lists() -> List[List[Event]]:
    """The events of every tracker Rasa makes of data/ (stories and rules, with story
    concatenation; augmentation off to keep the test short)."""
    from rasa.core.training import load_data
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(ROOT / "domain.yml"), training_data_paths=[str(ROOT / "data")]
    )
    trackers = load_data(importer, project_domain(), augmentation_factor=0)
    assert len(trackers) > 20
    assert any(tracker.is_rule_tracker for tracker in trackers)
    assert any(isinstance(e, ActiveLoop) for t in trackers for e in t.events)
    return [list(tracker.events) for tracker in trackers]


def user(intent: str, text: str = "", entities: Optional[List[Dict[str, Any]]] = None) -> Event:
    return UserUttered(text or intent, {"name": intent}, entities or [])


def hand_made_event_lists() -> List[List[Event]]:
    """Conversations with a form (happy and unhappy paths), undos, rewinds, restarts,
    new sessions and the events that change a user message after it."""
    listen = "action_listen"
    start = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted(listen)]
    screening = [
        user("start_screening", "/start_screening"),
        DefinePrevUserUtteredFeaturization(False),
        ActionExecuted(FORM),
        ActiveLoop(FORM),
        SlotSet("requested_slot", "subject"),
        ActionExecuted(listen),
        user("inform", "my baby", [{"entity": "subject", "value": "baby"}]),
        DefinePrevUserUtteredFeaturization(False),
        ActionExecuted(FORM),
        SlotSet("subject", "baby"),
        SlotSet("requested_slot", "dimple_pattern"),
        ActionExecuted(listen),
        user("faq", "what is a sacral dimple"),
        DefinePrevUserUtteredFeaturization(False),
        ActionExecutionRejected(FORM),  # the unhappy path
        ActionExecuted("utter_faq", hide_rule_turn=True),
        ActionExecuted(FORM),
        LoopInterrupted(True),
        ActionExecuted(listen),
        user("inform", "one in the middle", [{"entity": "dimple_pattern", "value": "x"}]),
        EntitiesAdded([{"entity": "subject", "value": "baby"}]),
        DefinePrevUserUtteredFeaturization(True),
        ActionExecuted(FORM),
        SlotSet("dimple_pattern", "one_midline"),
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        ActionExecuted("utter_thanks", hide_rule_turn=True),
        ActionExecuted(listen),
    ]
    undos = [
        user("deny", "no"),
        ActionExecuted("utter_ok"),
        ActionExecuted(listen),
        user("greet", "hello"),
        UserUtteranceReverted(),
        ActionExecuted("utter_ok"),
        ActionReverted(),
        FollowupAction("utter_greet"),
        ActionExecuted("utter_greet"),
        AllSlotsReset(),
        ActionExecuted(listen),
    ]
    # The form named by a loop only later: its earlier executions are treated anew.
    late_loop = [
        ActionExecuted(listen),
        user("start_screening"),
        ActionExecuted(FORM),
        ActionExecuted(listen),
        user("inform"),
        ActionExecuted(FORM),
        ActionExecuted(FORM),
        ActiveLoop(FORM),
        ActionExecuted(FORM),
        ActiveLoop(None),
        ActionExecuted(listen),
    ]
    # A featurization event after the bot listened again: it changes a user message
    # that earlier states show (Rasa's replay sees it as it is now).
    late_change = [
        ActionExecuted(listen),
        user("greet", "hi"),
        ActionExecuted("utter_greet"),
        ActionExecuted(listen),
        DefinePrevUserUtteredFeaturization(True),
        EntitiesAdded([{"entity": "subject", "value": "child"}]),
        ActionExecuted("utter_greet"),
        DefinePrevUserUtteredFeaturization(False),
        ActionExecuted(listen),
    ]
    restart = [Restarted(), ActionExecuted(listen), user("greet"), ActionExecuted("utter_greet")]
    session = [*start, user("goodbye"), ActionExecuted("utter_goodbye"), ActionExecuted(listen)]
    return [
        start + screening,
        start + screening + undos,
        start + screening + undos + restart + screening,
        start + late_loop + screening,
        start + late_change,
        start + screening + session + late_change + undos,
        late_loop + restart + late_change + session,
    ]


def sharing(states: List[Dict[str, Any]]) -> List[List[int]]:
    """Which sub-states are one and the same object (a caller changing one changes all)."""
    first: Dict[int, int] = {}
    return [[first.setdefault(id(sub), len(first)) for sub in state.values()] for state in states]


def settings(rule_only_data: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The arguments the policies pass (RulePolicy, MemoizationPolicy) and the others."""
    return [
        {},
        {"omit_unset_slots": True},
        {"ignore_rule_only_turns": True, "rule_only_data": rule_only_data},
        {"ignore_rule_only_turns": True, "rule_only_data": None},
        {"omit_unset_slots": True, "ignore_rule_only_turns": True, "rule_only_data": {}},
    ]


def rasas_answers(events: List[Event], domain: Domain, kwargs: Dict[str, Any]) -> Any:
    with rasas_own():
        tracker = DialogueStateTracker.from_events("rasa", events, domain.slots)
        states = domain.states_for_tracker_history(tracker, **kwargs)
        return tracker.applied_events(), states


def check_event_list(events: List[Event], domain: Domain, rule_only_data: Dict[str, Any]) -> int:
    """Every prefix, on a tracker that grows event by event (the remembered answers are
    gone on from) and on a fresh one; returns how many comparisons were made."""
    compared = 0
    for kwargs in settings(rule_only_data):
        growing = DialogueStateTracker("ours", domain.slots)
        for count, event in enumerate(events, start=1):
            growing.update(event)
            rasa_applied, rasa_states = rasas_answers(events[:count], domain, kwargs)
            fresh = DialogueStateTracker.from_events("fresh", events[:count], domain.slots)
            for tracker in (growing, fresh, growing):  # the last: asked again, unchanged
                assert same_objects(tracker.applied_events(), rasa_applied)
                states = domain.states_for_tracker_history(tracker, **kwargs)
                assert states == rasa_states, (count, event, kwargs)
                assert sharing(states) == sharing(rasa_states)
                compared += 1
    return compared


def test_the_fix_is_in_place_once_the_components_are_imported():
    assert DialogueStateTracker.applied_events is tracker_states.applied_events
    assert Domain.states_for_tracker_history is tracker_states.states_for_tracker_history


def test_every_training_tracker_and_prefix_gets_rasas_states(
    training_event_lists, domain, rule_only_data
):
    compared = 0
    for events in training_event_lists:
        compared += check_event_list(events, domain, rule_only_data)
    assert compared > 1000


@pytest.mark.parametrize("index", range(len(hand_made_event_lists())))
def test_hand_made_conversations_get_rasas_states(index, domain, rule_only_data):
    events = hand_made_event_lists()[index]
    assert check_event_list(events, domain, rule_only_data) >= 3 * len(events)


def same_objects(ours: List[Event], rasas: List[Event]) -> bool:
    return len(ours) == len(rasas) and all(map(operator.is_, ours, rasas))


def test_a_changed_list_is_never_served_a_remembered_answer(domain, rule_only_data):
    """Undo by taking events off, a copy with new event objects, a list started over, a
    domain of its own, and the caller's dict changed after the call."""
    listen, baby = ActionExecuted("action_listen"), [{"entity": "subject", "value": "baby"}]
    events = [ActionExecuted("action_session_start"), SessionStarted(), listen]
    events += [user("greet", "hi", baby), ActionExecuted("utter_greet")]
    events += [ActiveLoop(FORM), SlotSet("subject", "baby"), listen]
    events += [user("deny", "no", baby), ActionExecuted("utter_ok"), listen]
    events += [user("affirm", "yes"), ActionExecuted("utter_ok"), listen]
    caller_data = dict(rule_only_data)
    kwargs: Dict[str, Any] = {"ignore_rule_only_turns": True, "rule_only_data": caller_data}
    tracker = DialogueStateTracker.from_events("ours", events, domain.slots)
    domain.states_for_tracker_history(tracker, **kwargs)

    def check(on_domain: Domain) -> None:
        rasa_applied, rasa_states = rasas_answers(list(tracker.events), on_domain, kwargs)
        assert same_objects(tracker.applied_events(), rasa_applied)
        assert on_domain.states_for_tracker_history(tracker, **kwargs) == rasa_states

    tracker.events.pop()  # a list that is no longer what was folded
    tracker.events.pop()
    check(domain)
    # the same length, other objects, one of them another user message
    copies = [copy.deepcopy(event) for event in tracker.events]
    assert isinstance(copies[8], UserUttered)
    copies[8] = user("greet", "no", baby)
    tracker.events.clear()
    tracker.events.extend(copies)
    check(domain)
    # another domain: no intent's entities are featurized
    as_dict = domain.as_dict()
    as_dict["intents"] = [{intent: {"use_entities": []}} for intent in as_dict["intents"]]
    other = Domain.from_dict(as_dict)
    assert other.states_for_tracker_history(tracker, **kwargs) != (
        domain.states_for_tracker_history(tracker, **kwargs)
    )
    check(other)
    check(domain)
    # rule_only_data changed by its caller after the call
    caller_data[RULE_ONLY_LOOPS] = []
    check(domain)


def test_states_are_the_callers_own(domain, rule_only_data):
    """A caller that changes the states it got (as the featurizer does to the last one)
    does not change the next answer."""
    events = hand_made_event_lists()[0]
    tracker = DialogueStateTracker.from_events("ours", events, domain.slots)
    kwargs = {"ignore_rule_only_turns": True, "rule_only_data": rule_only_data}
    first = domain.states_for_tracker_history(tracker, **kwargs)
    for state in first:
        for sub_state in state.values():
            sub_state.clear()
        state.clear()
    assert (
        domain.states_for_tracker_history(tracker, **kwargs)
        == rasas_answers(events, domain, kwargs)[1]
    )
    applied = tracker.applied_events()
    applied.clear()
    assert same_objects(tracker.applied_events(), rasas_answers(events, domain, kwargs)[0])


def test_the_memory_of_a_long_conversation_is_one_replay_per_setting(domain):
    """A tracker keeps one fold and one replay per setting, however long it grows."""
    tracker = DialogueStateTracker("long", domain.slots)
    events = hand_made_event_lists()[0]
    for _ in range(30):
        for event in events[3:]:
            tracker.update(copy.deepcopy(event))
            domain.states_for_tracker_history(tracker)
            domain.states_for_tracker_history(tracker, ignore_rule_only_turns=True)
    replays = tracker.__dict__[tracker_states.REPLAYS]
    assert len(replays) == 2
    assert all(len(replay.applied) <= len(tracker.events) for replay in replays.values())


# --- moved from test_rasa_speedups (its lever 7): asked after every event ----------


def test_the_remembered_applied_events_are_rasas_after_every_event():
    form = "screening_form"
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("check my baby", {"name": "start_screening"}),
        ActionExecuted(form),
        ActiveLoop(form),
        SlotSet("requested_slot", "subject"),
        ActionExecuted("action_listen"),
        UserUttered("baby", {"name": "inform"}),
        ActionExecuted(form),
        SlotSet("subject", "baby"),
        ActionExecuted("action_listen"),
        UserUttered("what is a sacral dimple", {"name": "faq"}),
        ActionExecuted(form),  # the form rejected the turn: unhappy path
        ActionExecuted("utter_faq"),
        ActionExecuted(form),
        ActionExecuted("action_listen"),
        UserUttered("oops", {"name": "deny"}),
        UserUtteranceReverted(),
        ActionExecuted("utter_ok"),
        ActionReverted(),
        ActiveLoop(None),
        Restarted(),
        ActionExecuted("action_listen"),
        UserUttered("hi", {"name": "greet"}),
    ]
    tracker = DialogueStateTracker("applied-test", [])
    for event in events:
        tracker.update(event)
        remembered = tracker.applied_events()
        assert remembered == tracker_states._rasa_applied_events(tracker)
        remembered.clear()  # a caller's own list: the next answer is whole
        assert tracker.applied_events() == tracker_states._rasa_applied_events(tracker)


# --- slots copied for a new tracker ---------------------------------------------------


def tracker_as_data(tracker: DialogueStateTracker) -> Dict[str, Any]:
    """Everything a tracker holds, its slots as their classes and attributes."""
    data = {k: v for k, v in vars(tracker).items() if k != "slots"}
    data["events"] = list(tracker.events)
    data["slots"] = {name: (type(s), vars(s)) for name, s in tracker.slots.items()}
    data["slots_type"] = type(tracker.slots)
    return data


def test_a_new_trackers_slots_are_copied_as_copy_copy_copies_them(domain):
    from rasa.shared.core.slots import TextSlot

    assert DialogueStateTracker.__init__ is tracker_states.tracker_init
    slots = list(domain.slots)
    tracker = DialogueStateTracker.from_events("slots", hand_made_event_lists()[0], slots)
    for slot in tracker.slots.values():  # set ones, as init_copy copies them
        assert tracker_states.copies_plainly(type(slot))
        ours, rasas = tracker_states.copy_slot(slot), copy.copy(slot)
        assert type(ours) is type(rasas) and ours is not slot
        assert vars(ours) == vars(rasas)
        assert all(vars(ours)[key] is value for key, value in vars(slot).items())

    class OwnCopy(TextSlot):
        def __copy__(self) -> Any:
            return TextSlot(self.name, [], initial_value="copied")

    assert not tracker_states.copies_plainly(OwnCopy)
    assert tracker_states.copy_slot(OwnCopy("own", [])).initial_value == "copied"

    for source in (tracker, DialogueStateTracker("bare", None)):
        ours = source.init_copy()
        with rasas_own():
            rasas = source.init_copy()
        assert tracker_as_data(ours) == tracker_as_data(rasas)


# --- rules that fit the states (RulePolicy) ---------------------------------------------


@pytest.fixture(scope="module")
def rule_lookup() -> Dict[str, Dict[str, Any]]:
    """The trained RulePolicy's rules, from the model the assistant serves."""
    import json
    import tarfile

    with tarfile.open(ROOT / "models" / "back-dimples.tar.gz") as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("rule_policy.json"))
        extracted = archive.extractfile(member)
        assert extracted is not None
        lookup = json.load(extracted)["lookup"]
    assert len(lookup["rules"]) > 50 and lookup["rules_for_loop_unhappy_path"]
    return lookup


def policy_states(events: List[Event], domain: Domain) -> Iterator[List[Dict[str, Any]]]:
    """The states of every prefix as the rule policy gets them, with the last user turn
    by intent and by text (RulePolicy asks both ways)."""
    from rasa.shared.nlu.constants import TEXT

    tracker = DialogueStateTracker("rules", domain.slots)
    for event in events:
        tracker.update(event)
        for ignore in (True, False):
            states = domain.states_for_tracker_history(
                tracker, ignore_rule_only_turns=ignore, rule_only_data={}
            )
            yield states
            if states and "user" in states[-1]:
                by_intent = copy.deepcopy(states)
                by_intent[-1]["user"].pop(TEXT, None)
                yield by_intent


def candidates_checked(lookup: Dict[str, Any], states: List[Dict[str, Any]]) -> int:
    """How many keys the first filter (the last state) checks."""
    if not states:
        return 0
    _, index = tracker_states.compiled_lookup(lookup)
    signature = tracker_states.signature_of(states[-1])
    return len(index.order if signature is None else index.candidates(signature))


def test_the_rules_that_fit_are_rasas_in_rasas_order(rule_lookup, training_event_lists, domain):
    from rasa.core.policies.rule_policy import RulePolicy

    assert RulePolicy._get_possible_keys is tracker_states.get_possible_keys
    policy = RulePolicy.__new__(RulePolicy)  # the method reads nothing of the instance
    found = compared = indexed = 0
    for events in training_event_lists + hand_made_event_lists():
        for states in policy_states(events, domain):
            for lookup in (rule_lookup["rules"], rule_lookup["rules_for_loop_unhappy_path"]):
                ours = policy._get_possible_keys(lookup, states)
                rasas = tracker_states._rasa_get_possible_keys(policy, lookup, states)
                assert list(ours) == list(rasas)  # the same keys, iterated alike
                if ours:
                    assert max(ours, key=len) == max(rasas, key=len)
                found += bool(ours)
                compared += 1
                indexed += candidates_checked(lookup, states) < len(lookup)
    assert compared > 1000 and found > compared / 10
    assert indexed > compared * 0.9  # nearly every last state has a previous action


def test_a_changed_lookup_is_read_anew(rule_lookup, domain):
    from rasa.core.policies.rule_policy import RulePolicy

    policy = RulePolicy.__new__(RulePolicy)
    lookup = dict(rule_lookup["rules"])
    states = list(policy_states(hand_made_event_lists()[0], domain))
    for _ in range(2):
        for state in states:
            ours = policy._get_possible_keys(lookup, state)
            assert list(ours) == list(tracker_states._rasa_get_possible_keys(policy, lookup, state))
        # the same dictionary with one rule fewer and another in its place
        fitting = next(key for state in states for key in policy._get_possible_keys(lookup, state))
        action = lookup.pop(fitting)
        lookup[fitting.replace("action_listen", "utter_greet")] = action


BOT_TEXT = "Here is what I know about that."
USER_TEXT = "what is a sacral dimple"


def last_state_variants(state: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
    """A last state (of a rule or a conversation) as it is, and changed in each way the
    index must answer for: a value that should not be set in place of the previous
    action, the intent or the loop; no previous action, an empty one, one by bot text
    (end-to-end) or by both name and text; a user turn by text only."""
    variants: List[Dict[str, Any]] = [
        {"prev_action": {"action_name": SHOULD_NOT_BE_SET}},
        {"user": {"intent": SHOULD_NOT_BE_SET}},
        {"active_loop": {"name": SHOULD_NOT_BE_SET}},
        {"prev_action": None},
        {"prev_action": {}},
        {"prev_action": {"action_text": BOT_TEXT}},
        {"prev_action": {"action_name": "action_listen", "action_text": BOT_TEXT}},
        {"user": {"text": USER_TEXT}},
    ]
    yield state
    for changes in variants:
        changed = copy.deepcopy(state)
        for state_type, sub_state in changes.items():
            if sub_state is None:
                changed.pop(state_type, None)
            else:
                changed[state_type] = sub_state
        yield changed


def with_numpy_strings(state: Dict[str, Any]) -> Dict[str, Any]:
    """The state with its strings as numpy's string scalars, as the intent classifier
    names the intent in a served conversation's states."""
    import numpy

    def numpy_string(value: Any) -> Any:
        if isinstance(value, tuple):
            return tuple(numpy_string(item) for item in value)
        return numpy.str_(value) if isinstance(value, str) else value

    return {
        state_type: {key: numpy_string(value) for key, value in sub_state.items()}
        for state_type, sub_state in state.items()
    }


@pytest.fixture(scope="module")
def varied_lookup(rule_lookup) -> Dict[str, Any]:
    """The trained rules, and a third of them again for each change of
    `last_state_variants` to their last state (in the trained ones' last states only the
    loop is ever one that should not be set, and every one has a previous action by name;
    a third keeps Rasa's side of the test to seconds); and rules of no state and of one
    empty state."""
    import json

    lookup = dict(rule_lookup["rules"])
    for number, (key, action) in enumerate(rule_lookup["rules"].items()):
        rule = json.loads(key)
        changed = itertools.islice(last_state_variants(rule[-1]), 1, None)
        for change, last_state in enumerate(changed):
            if (number + change) % 3 == 0:
                lookup.setdefault(json.dumps([*rule[:-1], last_state]), action)
    lookup["[]"] = lookup["[{}]"] = "action_listen"
    return lookup


@pytest.fixture(scope="module")
def distinct_policy_states(training_event_lists) -> List[List[Dict[str, Any]]]:
    """The rule policy's states of data/'s and the hand-made conversations, each list
    once, on the domain that shows slots too."""
    seen: Dict[str, List[Dict[str, Any]]] = {}
    domain = domain_with_slots_in_states()
    for events in training_event_lists + hand_made_event_lists():
        for states in policy_states(events, domain):
            seen.setdefault(repr(states), states)
    return list(seen.values())


def test_every_shape_of_last_state_gets_rasas_rules_in_rasas_order(
    varied_lookup, distinct_policy_states
):
    """The varied rules against every varied last state, its strings as str and as
    numpy's: the same keys in the same order, by the index (whose candidates are fewer
    than all keys) or by the whole filter (a last state without a previous action)."""
    from rasa.core.policies.rule_policy import RulePolicy

    policy = RulePolicy.__new__(RulePolicy)
    assert len(varied_lookup) > 138 + 300
    compared = indexed = large = 0
    for states in distinct_policy_states:
        for last_state in last_state_variants(states[-1]) if states else []:
            for strings in (last_state, with_numpy_strings(last_state)):
                varied = [*states[:-1], strings]
                ours = policy._get_possible_keys(varied_lookup, varied)
                rasas = tracker_states._rasa_get_possible_keys(policy, varied_lookup, varied)
                assert list(ours) == list(rasas), varied[-1:]
                compared += 1
                indexed += candidates_checked(varied_lookup, varied) < len(varied_lookup)
                large += len(ours) > 10  # a set whose order depends on the order of insertion
    assert compared > 1000 and indexed > compared / 2 and large > 10
    no_states = tracker_states._rasa_get_possible_keys(policy, varied_lookup, [])
    assert list(policy._get_possible_keys(varied_lookup, [])) == list(no_states)
    # the numpy strings are indexed as the str ones are
    numpy_states = [with_numpy_strings(states[-1]) for states in distinct_policy_states if states]
    assert [tracker_states.signature_of(state) for state in numpy_states] == [
        tracker_states.signature_of(states[-1]) for states in distinct_policy_states if states
    ]
    assert sum(tracker_states.signature_of(state) is not None for state in numpy_states) > 400


def outcome(get_keys: Callable[..., Set[str]], *args: Any) -> Any:
    """The keys in their order, or the kind of error."""
    try:
        return list(get_keys(*args))
    except Exception as error:
        return type(error)


def test_unusual_states_are_filtered_by_rasas_steps(varied_lookup, distinct_policy_states):
    """States unlike Rasa's (values that are lists, dictionaries, numbers; a sub-state
    that is no dictionary; a key that is no string) get Rasa's answer, or Rasa's error."""
    from rasa.core.policies.rule_policy import RulePolicy

    policy = RulePolicy.__new__(RulePolicy)
    unusual: List[Callable[[Dict[Any, Any]], None]] = [
        lambda state: state.setdefault("slots", {}).update(subject=["baby"]),
        lambda state: state.setdefault("slots", {}).update(subject=({"x": 1},)),
        lambda state: state["prev_action"].update(action_name=1),
        lambda state: state["user"].update(intent=("faq",)),
        lambda state: state.update(active_loop=[FORM]),
        lambda state: state.update(slots="subject"),
        lambda state: state.update({1: {"name": FORM}}),
        lambda state: state["prev_action"].update({("action_name",): "action_listen"}),
    ]
    compared = failed = 0
    for states in distinct_policy_states[::10]:
        if not states or "user" not in states[-1] or "prev_action" not in states[-1]:
            continue
        for change in unusual:
            varied = copy.deepcopy(states)
            change(varied[-1])
            assert tracker_states.signature_of(varied[-1]) is None
            ours = outcome(policy._get_possible_keys, varied_lookup, varied)
            rasas = outcome(tracker_states._rasa_get_possible_keys, policy, varied_lookup, varied)
            assert ours == rasas, varied[-1]
            compared += 1
            failed += rasas is AttributeError
    assert compared > 50 and failed > 5


def test_the_index_remembers_a_bounded_number_of_last_states(rule_lookup, monkeypatch):
    monkeypatch.setattr(tracker_states, "MAX_SIGNATURES", 3)
    _, index = tracker_states.compiled_lookup(dict(rule_lookup["rules"]))
    for intent in ("greet", "faq", "deny", "affirm", "goodbye"):
        listened = index.candidates(("action_listen", intent, None))
        assert listened and len(index.candidates_by_signature) <= 3
        assert listened == index.candidates(("action_listen", intent, None))


# --- the served model's predictions -----------------------------------------------------


@pytest.fixture(scope="module")
def served_agent(model_path: Any) -> Any:
    """The model loaded as `rasa run` loads it (as in test_rasa_speedups)."""
    import asyncio

    from rasa.core.agent import load_agent

    agent = asyncio.run(load_agent(model_path=str(model_path)))
    assert agent.processor is not None
    return agent


def prediction_as_data(prediction: Any) -> Dict[str, Any]:
    return {key: value for key, value in vars(prediction).items() if key != "diagnostic_data"}


@pytest.mark.server
def test_the_served_policies_predict_as_with_rasas_functions(served_agent, training_event_lists):
    """Before every action of every conversation (data/'s and the hand-made ones), the
    policy ensemble of the served model predicts the same with these functions (on a
    tracker that grows, so that remembered answers are gone on from) as with Rasa's."""
    from rasa.engine.constants import PLACEHOLDER_TRACKER

    runner = served_agent.processor.graph_runner
    metadata = served_agent.processor.model_metadata
    domain = metadata.domain

    def predict(tracker: DialogueStateTracker) -> Dict[str, Any]:
        results = runner.run(inputs={PLACEHOLDER_TRACKER: tracker}, targets=[metadata.core_target])
        return prediction_as_data(results[metadata.core_target])

    predicted = set()
    for events in training_event_lists + hand_made_event_lists():
        growing = DialogueStateTracker("served", domain.slots)
        for count, event in enumerate(events):
            if isinstance(event, ActionExecuted) and count:
                ours = predict(growing)
                with rasas_own():
                    fresh = DialogueStateTracker.from_events("served", events[:count], domain.slots)
                    assert predict(fresh) == ours, (count, event)
                predicted.add(ours["policy_name"])
            growing.update(event)
    assert {"RulePolicy", "MemoizationPolicy"} <= {name.split("_")[-1] for name in predicted}
