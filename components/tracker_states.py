"""Dialogue states per prediction without replaying the whole session each time.

For every prediction (several per message) RulePolicy and MemoizationPolicy ask the
tracker for its past states: Rasa's `Domain.states_for_tracker_history` takes the
tracker's applied events (`DialogueStateTracker.applied_events`, a left fold over every
event of the session), replays them one by one into a fresh tracker
(`generate_all_prior_trackers`) and works out the state before every action. That was
about 15% of a message's CPU, and it grows with the session. Two replacements, each
giving Rasa's own answers:

1. Applied events. Rasa's fold tests every event with `isinstance` against `Event`
classes, which are ABCs (`ABCMeta.__instancecheck__`, hundreds of thousands of calls per
hundred messages). Here the answer of `issubclass` is remembered per event class (the
same answer: a class registered with an ABC later clears the memory, through
`abc.get_cache_token()`), and the fold is otherwise Rasa's own, calling Rasa's own
helpers for undone events and repeated form steps. A tracker also remembers its last
fold: its events as they were (the objects themselves), the names of the loops among
them and the applied events. When its events are those same objects with more after
them, and no new loop name came with the new ones (a loop's name changes how every
earlier execution of that loop is treated), the fold goes on from there; anything else
(an undo, a rewind, a restart, a new session, a trimmed history, other event objects) is
folded from the start. This replaces lever 7 of rasa_speedups (which remembered the
answer only for an unchanged event list).

2. Past states. A tracker remembers, per set of arguments (omit_unset_slots,
ignore_rule_only_turns, rule_only_data) and domain, the replayed tracker and the states
worked out so far. When its applied events start with the applied events replayed last
time (the same objects), only the new ones are replayed; otherwise the replay starts
from a fresh tracker as Rasa's does. The loop body is Rasa's (same helpers, same
order), and each caller gets its own copy of the states, with the same sharing of
sub-states between states as Rasa's (callers change the last state in place).
Rasa changes one kind of event after it is in a tracker: the user message, whose
featurization and entities later events set (`DefinePrevUserUtteredFeaturization`,
`EntitiesAdded`), and a replay of those sees the message as it is now. So the memory
keeps each user message that a remembered state shows with those two values as the
state saw them, and is used only while they are unchanged. Only plain
`DialogueStateTracker`s are served this way (training's own trackers cache their
states themselves).

3. Slots of a new tracker. Every tracker Rasa makes (a replay above, and the copy the
processor makes of its tracker for every action) copies each slot with `copy.copy`,
which goes through pickle's protocol (`__reduce_ex__`): about 0.3 ms for this domain's
29 slots. For a slot class with no copy or pickle hooks and no slots of its own, that
protocol makes `cls.__new__(cls)` and updates its `__dict__` with the slot's: done here
directly; any other class still goes through `copy.copy`.

4. Rules that fit the states. RulePolicy checks each of its ~140 rules against each of
the last states (`_get_possible_keys` -> `_is_rule_applicable` ->
`_does_rule_match_state`, ~100k calls per 300 messages), reading each rule back from its
JSON key and turning its lists into tuples at every check. The rules are read once per
lookup (kept with the lookup and its keys, read anew if either changes) and checked by
the same steps; the sets of fitting keys are built and filtered in Rasa's order, so even
which of two equally long rules wins (`max` over the set) is Rasa's. Nearly all checks
were of the conversation's last state, against every rule; so the rules are also indexed
by what their own last state asks of three of its values (the previous action's name, the
intent, the loop's name), and the conversation's last state is checked only against the
rules those values do not already turn down (1.35 of 138 on average over the hand-made
conversations), remembered per three values. The first filter then adds the same keys in
the same order as Rasa's. A last state without a previous action, or unlike Rasa's
(values other than strings, numpy's string scalars, numbers and tuples of them), is
checked against every rule.

Measured on data/'s conversations and the tests' hand-made ones, CPU against Rasa's
own functions (a growing tracker asked at every event, as the policies ask): applied
events 36.6 -> 6.9 ms, past states (RulePolicy's and MemoizationPolicy's settings)
240 -> 50 ms, 3000 `init_copy` 229 -> 98 ms, rule keys for 2344 state lists 443 -> 226
ms. Per message (`python -m scripts.profile_messages --no-profile --conversations 20`,
three interleaved pairs on a shared 2-core machine): CPU 21.8-25.3 -> 16.6-20.8 ms,
median 24.6-28.7 -> 19.8-25.0 ms. Under the profiler, for 320 messages: the rule
policy's predictions 1.43 -> 0.76 s, memoization's 0.78 -> 0.46 s.

The rules' index, later: rule keys for the 2344 state lists (both lookups; Rasa's, without
and with the index, measured together) 500, 251, 38 ms; for the keys asked at a served
conversation's predictions, 67 -> 8.4 us per call. At the benchmark's slowest step (an
FAQ question in the middle of the screening form, `--step 5`, 20 messages under the
profiler): 670 -> 34 rule checks per message, the rule keys 48 -> 5 ms, the rule
policy's predictions 91 -> 45 ms. Wall time per message does not show it above the noise
of a shared machine (about 0.4 ms of 23 without the profiler).
"""

import abc
import copy as copy_module
import copyreg
import itertools
import json
import operator
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

import numpy
import rasa.shared.core.constants as core_constants
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import SHOULD_NOT_BE_SET
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

_rasa_applied_events = DialogueStateTracker.applied_events
_rasa_states_for_tracker_history = Domain.states_for_tracker_history

# What Rasa's fold does with an event, by the first isinstance test it passes.
RESET, UNDO_ACTION, UNDO_USER, ACTION, OTHER = range(5)
# Per event class: (what the fold does with it, whether it is an ActiveLoop).
_kinds: Dict[type, Tuple[int, bool]] = {}
_kinds_token: List[object] = [abc.get_cache_token()]


def _kind(subject: Any, is_a: Callable[[Any, Any], bool]) -> Tuple[int, bool]:
    if is_a(subject, (Restarted, SessionStarted)):
        kind = RESET
    elif is_a(subject, ActionReverted):
        kind = UNDO_ACTION
    elif is_a(subject, UserUtteranceReverted):
        kind = UNDO_USER
    elif is_a(subject, ActionExecuted):
        kind = ACTION
    else:
        kind = OTHER
    return kind, is_a(subject, ActiveLoop)


def _kind_of_class(cls: type) -> Tuple[int, bool]:
    return _kind(cls, issubclass)


def _kind_of_instance(event: Any) -> Tuple[int, bool]:
    """As `_kind_of_class`, for an object whose __class__ is not its type (a proxy):
    isinstance tests both, as Rasa's fold does."""
    return _kind(event, isinstance)


def event_kinds() -> Dict[type, Tuple[int, bool]]:
    """The remembered kinds, emptied when an ABC registered a class since."""
    token = abc.get_cache_token()
    if token != _kinds_token[0]:
        _kinds.clear()
        _kinds_token[0] = token
    return _kinds


def kind(event: Any, kinds: Dict[type, Tuple[int, bool]]) -> Tuple[int, bool]:
    cls = type(event)
    found = kinds.get(cls)
    if found is None:
        if event.__class__ is not cls:
            return _kind_of_instance(event)
        found = kinds[cls] = _kind_of_class(cls)
    return found


def loop_names_of(events: Any, kinds: Dict[type, Tuple[int, bool]]) -> set:
    """The names of the loops activated among the events (Rasa's `loop_names`; only
    membership is asked of it)."""
    return {event.name for event in events if kind(event, kinds)[1] and event.name}


def fold_applied(
    tracker: DialogueStateTracker,
    applied: List[Event],
    events: Any,
    loop_names: set,
    kinds: Dict[type, Tuple[int, bool]],
) -> List[Event]:
    """Rasa's fold of `applied_events`, going on from `applied` over `events`."""
    for event in events:
        what = kind(event, kinds)[0]
        if what == RESET:
            applied = []
        elif what == UNDO_ACTION:
            tracker._undo_till_previous(ActionExecuted, applied)
        elif what == UNDO_USER:
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            what == ACTION
            and event.action_name in loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    return applied


def starts_with(items: Any, prefix: List[Any]) -> bool:
    """Whether `items` begins with the very objects of `prefix`."""
    return len(items) >= len(prefix) and all(map(operator.is_, prefix, items))


# On a tracker: (its events as folded, their loop names, the applied events).
APPLIED = "_applied_events_fold"


def applied_events(self: DialogueStateTracker) -> List[Event]:
    """`DialogueStateTracker.applied_events`, with the same answer."""
    events = self.events
    kinds = event_kinds()
    memo = self.__dict__.get(APPLIED)
    if memo is not None and starts_with(events, memo[0]):
        seen, loop_names, applied = memo
        new_events = list(itertools.islice(events, len(seen), None))
        if not new_events:
            return list(applied)
        names = loop_names | loop_names_of(new_events, kinds)
        if names == loop_names:
            applied = fold_applied(self, list(applied), new_events, names, kinds)
            self.__dict__[APPLIED] = (list(events), names, applied)
            return list(applied)
    names = loop_names_of(events, kinds)
    applied = fold_applied(self, [], events, names, kinds)
    self.__dict__[APPLIED] = (list(events), names, applied)
    return list(applied)


# --- past states ------------------------------------------------------------------


def user_signature(message: UserUttered) -> Tuple[Any, int]:
    """What later events change in a user message that its state shows."""
    return message.use_text_for_featurization, len(message.entities)


class Replay:
    """Rasa's `states_for_tracker_history` loop, able to go on with more events."""

    def __init__(self, domain: Domain, tracker: DialogueStateTracker, settings: Tuple) -> None:
        self.domain = domain
        # omit_unset_slots, ignore_rule_only_turns, rule_only_data
        self.settings = settings
        self.slots = list(tracker.slots.values())
        self.tracker = tracker.init_copy()
        self.applied: List[Event] = []
        self.states: List[State] = []
        self.last_ml_action_sub_state: Any = None
        self.turn_was_hidden = False
        # The user messages the states show, each with its signature at that time.
        self.users: List[Tuple[UserUttered, Tuple[Any, int]]] = []

    def fits(self, domain: Domain, tracker: DialogueStateTracker, applied: List[Event]) -> bool:
        return (
            domain is self.domain
            and len(tracker.slots) == len(self.slots)
            and all(map(operator.is_, self.slots, tracker.slots.values()))
            and starts_with(applied, self.applied)
            and all(user_signature(message) == seen for message, seen in self.users)
        )

    def state_of(self, hide_rule_turn: bool, states: List[State]) -> Tuple[Any, bool]:
        """The loop body for one prior tracker (the replay as it is now): appends its
        state to `states` unless the turn is hidden; gives the new
        (last_ml_action_sub_state, turn_was_hidden)."""
        domain, tr = self.domain, self.tracker
        omit_unset_slots, ignore_rule_only_turns, rule_only_data = self.settings
        last_ml_action_sub_state, turn_was_hidden = (
            self.last_ml_action_sub_state,
            self.turn_was_hidden,
        )
        if ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action_sub_state = domain._get_prev_action_sub_state(tr)
            if not tr.followup_action and tr.latest_action_name != tr.active_loop_name:
                turn_was_hidden = hide_rule_turn
            if turn_was_hidden:
                return last_ml_action_sub_state, turn_was_hidden

        state = domain.get_active_state(tr, omit_unset_slots=omit_unset_slots)
        if ignore_rule_only_turns:
            domain._remove_rule_only_features(state, rule_only_data)
            if states:
                domain._substitute_rule_only_user_input(state, states[-1])
            if last_ml_action_sub_state:
                state[core_constants.PREVIOUS_ACTION] = last_ml_action_sub_state
        states.append(domain._clean_state(state))
        return last_ml_action_sub_state, turn_was_hidden

    def go_on(self, applied: List[Event], kinds: Dict[type, Tuple[int, bool]]) -> None:
        """Replays the applied events after those replayed so far."""
        for event in applied[len(self.applied) :]:
            if kind(event, kinds)[0] == ACTION:
                message = self.tracker.latest_message
                shown = len(self.states)
                self.last_ml_action_sub_state, self.turn_was_hidden = self.state_of(
                    event.hide_rule_turn, self.states
                )
                if (
                    len(self.states) > shown
                    and isinstance(message, UserUttered)
                    and (not self.users or self.users[-1][0] is not message)
                ):
                    self.users.append((message, user_signature(message)))
            self.tracker.update(event)
        self.applied = applied

    def still_true(self) -> bool:
        """Whether every remembered state shows its user message as it is now (a later
        event of this replay may have changed one)."""
        return all(user_signature(message) == seen for message, seen in self.users)

    def final_states(self) -> List[State]:
        """The states, with the state after the last event (a copy for the caller)."""
        states = list(self.states)
        self.state_of(False, states)
        return copy_states(states)


def copy_states(states: List[State]) -> List[State]:
    """A copy of the states and their sub-states, sharing sub-states as they do."""
    copies: Dict[int, Any] = {}
    result = []
    for state in states:
        copied = {}
        for name, sub_state in state.items():
            sub_copy = copies.get(id(sub_state))
            if sub_copy is None:
                sub_copy = copies[id(sub_state)] = sub_state.copy()
            copied[name] = sub_copy
        result.append(copied)
    return result


def frozen_rule_only_data(rule_only_data: Optional[Dict[str, Any]]) -> Any:
    """The parts of rule_only_data that Rasa reads, as a key (TypeError if not hashable)."""
    if not rule_only_data:
        return None
    key = (
        tuple(rule_only_data.get(core_constants.RULE_ONLY_SLOTS, [])),
        tuple(rule_only_data.get(core_constants.RULE_ONLY_LOOPS, [])),
    )
    hash(key)
    return key


def thawed_rule_only_data(key: Any) -> Optional[Dict[str, Any]]:
    """rule_only_data as Rasa reads it, from its key: a replay kept for later must not
    see later changes to the caller's dictionary."""
    if key is None:
        return None
    slots, loops = key
    return {
        core_constants.RULE_ONLY_SLOTS: list(slots),
        core_constants.RULE_ONLY_LOOPS: list(loops),
    }


# On a tracker: its replays, by (omit_unset_slots, ignore_rule_only_turns, rule_only_data).
REPLAYS = "_prior_states_replays"


def states_for_tracker_history(
    self: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[str, Any]] = None,
) -> List[State]:
    """`Domain.states_for_tracker_history`, with the same states."""
    if type(tracker) is not DialogueStateTracker:
        return _rasa_states_for_tracker_history(
            self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data
        )
    try:
        key = (omit_unset_slots, ignore_rule_only_turns, frozen_rule_only_data(rule_only_data))
        hash(key)
    except TypeError:
        return _rasa_states_for_tracker_history(
            self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data
        )
    kinds = event_kinds()
    applied = tracker.applied_events()
    replays = tracker.__dict__.setdefault(REPLAYS, {})
    replay = replays.pop(key, None)
    if replay is None or not replay.fits(self, tracker, applied):
        settings = (omit_unset_slots, ignore_rule_only_turns, thawed_rule_only_data(key[2]))
        replay = Replay(self, tracker, settings)
    replay.go_on(applied, kinds)
    states = replay.final_states()
    if replay.still_true():
        replays[key] = replay
    return states


# --- slots copied for a new tracker -----------------------------------------------

_rasa_tracker_init = DialogueStateTracker.__init__
_plain_classes: Dict[type, bool] = {}


def copies_plainly(cls: type) -> bool:
    """Whether `copy.copy` of an instance is a new instance with the same `__dict__`
        entries: no copy or pickle hooks of its own, no slots (abc.ABC's empty __slots__
    is none; then copy.copy makes
        `cls.__new__(cls)` and updates its __dict__ with the original's, nothing else)."""
    hooks = ("__copy__", "__setstate__", "__getstate__", "__getnewargs__", "__getnewargs_ex__")
    return (
        cls not in copy_module._copy_dispatch  # type: ignore[attr-defined]
        and cls not in copyreg.dispatch_table
        and not issubclass(cls, type)
        and not any(hasattr(cls, hook) for hook in hooks)
        and cls.__reduce_ex__ is object.__reduce_ex__
        and cls.__reduce__ is object.__reduce__
        and cls.__new__ is object.__new__
        and not copyreg._slotnames(cls)  # type: ignore[attr-defined]
    )


def copy_slot(slot: Any) -> Any:
    """`copy.copy(slot)`, without going through pickle's protocol for plain classes."""
    cls = type(slot)
    plain = _plain_classes.get(cls)
    if plain is None:
        plain = _plain_classes[cls] = copies_plainly(cls)
    if not plain or slot.__class__ is not cls:
        return copy_module.copy(slot)
    new = object.__new__(cls)
    new.__dict__.update(slot.__dict__)
    return new


def tracker_init(
    self: DialogueStateTracker,
    sender_id: str,
    slots: Any,
    max_event_history: Optional[int] = None,
    sender_source: Optional[str] = None,
    is_rule_tracker: bool = False,
) -> None:
    """`DialogueStateTracker.__init__`, copying the slots with `copy_slot`: Rasa's
    makes the tracker without them, then they are copied and reset as Rasa's would."""
    if type(self) is not DialogueStateTracker or slots is None:
        _rasa_tracker_init(
            self, sender_id, slots, max_event_history, sender_source, is_rule_tracker
        )
        return
    _rasa_tracker_init(self, sender_id, None, max_event_history, sender_source, is_rule_tracker)
    self.slots = {slot.name: copy_slot(slot) for slot in slots}
    self._reset_slots()


# --- rules that fit the states (RulePolicy) ------------------------------------------

_rasa_get_possible_keys = RulePolicy._get_possible_keys
_rasa_is_rule_applicable = RulePolicy._is_rule_applicable
_rasa_does_rule_match_state = RulePolicy._does_rule_match_state
_rasa_rule_key_to_state = RulePolicy._rule_key_to_state
# A rule's states, latest first: (whether it has a previous action, its sub-states as
# (state type, [(key, value as Rasa compares it)])).
RuleStates = List[Tuple[bool, List[Tuple[str, List[Tuple[str, Any]]]]]]
# The values of a conversation's last state by which the rules are indexed: (state type,
# key). Every rule's last state names its previous action, nearly every one its intent,
# many their loop; and they are few (the rules' last states hold little else).
INDEXED = (
    (core_constants.PREVIOUS_ACTION, ACTION_NAME),
    (core_constants.USER, INTENT),
    (core_constants.ACTIVE_LOOP, core_constants.LOOP_NAME),
)
# Strings: numpy's string scalar is how the intent classifier names the intent, and it
# hashes, compares (with a str, a number, None, a tuple, a list, a dict) and is true as
# the same str does.
STRING_TYPES = (str, numpy.str_)
# Values that compare, and say whether they are true, as Rasa's states' own do (a
# slot's features are a tuple of these).
PLAIN_TYPES = (*STRING_TYPES, int, float, bool, type(None))
# At most this many signatures are remembered per lookup, then all are forgotten (a
# domain names far fewer; this only bounds the memory).
MAX_SIGNATURES = 4096


def value_fits(value_from_rules: Any, value_from_conversation: Any) -> bool:
    """`_does_rule_match_state`'s test of one value (the rule's already a tuple)."""
    return not (
        (
            value_from_rules
            and value_from_rules != SHOULD_NOT_BE_SET
            and value_from_conversation != value_from_rules
        )
        or (
            value_from_rules == SHOULD_NOT_BE_SET
            and value_from_conversation
            and value_from_conversation != SHOULD_NOT_BE_SET
        )
    )


def rule_states(rule_key: str) -> RuleStates:
    """The states of a rule as `_is_rule_applicable` reads them, with the lists that
    `_does_rule_match_state` turns into tuples already turned."""
    compiled: RuleStates = []
    for rule_state in reversed(json.loads(rule_key)):
        sub_states = [
            (
                state_type,
                [
                    (key, tuple(value) if isinstance(value, list) else value)
                    for key, value in sub_state.items()
                ],
            )
            for state_type, sub_state in rule_state.items()
        ]
        compiled.append((bool(rule_state.get(core_constants.PREVIOUS_ACTION)), sub_states))
    return compiled


def last_state_demands(rule: RuleStates) -> Optional[Tuple[Tuple[int, Any], ...]]:
    """What the rule asks of the indexed values of a last state that has a previous
    action, as (position in INDEXED, value from the rule); None if it fits no such state
    (its own last state has no previous action)."""
    if not rule:
        return ()  # fits any last state
    rule_has_previous_action, sub_states = rule[0]
    if not rule_has_previous_action:
        return None
    demands: List[Tuple[int, Any]] = []
    for position, (indexed_type, indexed_key) in enumerate(INDEXED):
        for state_type, items in sub_states:
            if state_type == indexed_type:
                demands.extend((position, value) for key, value in items if key == indexed_key)
    return tuple(demands)


class RuleIndex:
    """A lookup's keys in the order `set(lookup.keys())` iterates them, and per
    signature of a last state (its INDEXED values) those of them that can fit it, in
    that order."""

    def __init__(self, rules: Dict[str, RuleStates]) -> None:
        self.order = list(set(rules.keys()))
        self.demands = [last_state_demands(rules[key]) for key in self.order]
        self.candidates_by_signature: Dict[Tuple[Optional[str], ...], List[str]] = {}

    def candidates(self, signature: Tuple[Optional[str], ...]) -> List[str]:
        """The keys whose rule's last state can fit a last state with a previous action
        and these INDEXED values: all but those that `rule_fits` would turn down for
        their previous action or one of these values."""
        found = self.candidates_by_signature.get(signature)
        if found is None:
            if len(self.candidates_by_signature) >= MAX_SIGNATURES:
                self.candidates_by_signature.clear()
            found = self.candidates_by_signature[signature] = [
                key
                for key, demands in zip(self.order, self.demands, strict=True)
                if demands is not None
                and all(value_fits(value, signature[position]) for position, value in demands)
            ]
        return found


def plain_state(state: Any) -> bool:
    """Whether a conversation state is Rasa's usual shape: dictionaries of plain values
    keyed by strings. A key that the index leaves out is never compared with the state,
    so a state whose comparisons might do something else (raise, for one) is not
    indexed."""
    if type(state) is not dict:
        return False
    for state_type, sub_state in state.items():
        if type(state_type) is not str or type(sub_state) is not dict:
            return False
        for key, value in sub_state.items():
            if type(key) is not str:
                return False
            if type(value) is tuple:
                if not all(type(item) in PLAIN_TYPES for item in value):
                    return False
            elif type(value) not in PLAIN_TYPES:
                return False
    return True


def signature_of(state: State) -> Optional[Tuple[Optional[str], ...]]:
    """A last state's INDEXED values, as `rule_fits` reads them; None when the index does
    not answer for it (no previous action, an unusual shape or a value not a string)."""
    if not plain_state(state) or not state.get(core_constants.PREVIOUS_ACTION):
        return None
    signature = tuple(state.get(state_type, {}).get(key) for state_type, key in INDEXED)
    if all(value is None or type(value) in STRING_TYPES for value in signature):
        return signature
    return None


# Per lookup (by id, kept with the lookup itself and its keys): the rules' states and
# their index.
_compiled_lookups: Dict[
    int, Tuple[Dict[str, Any], Tuple[str, ...], Dict[str, RuleStates], RuleIndex]
] = {}
MAX_LOOKUPS = 8


def compiled_lookup(lookup: Dict[str, Any]) -> Tuple[Dict[str, RuleStates], RuleIndex]:
    keys = tuple(lookup)
    entry = _compiled_lookups.get(id(lookup))
    if entry is None or entry[0] is not lookup or entry[1] != keys:
        if len(_compiled_lookups) >= MAX_LOOKUPS:
            _compiled_lookups.clear()
        rules = {key: rule_states(key) for key in keys}
        entry = (lookup, keys, rules, RuleIndex(rules))
        _compiled_lookups[id(lookup)] = entry
    return entry[2], entry[3]


def rule_fits(rule: RuleStates, turn_index: int, conversation_state: State) -> bool:
    """`RulePolicy._is_rule_applicable` (with `_does_rule_match_state`), step for step."""
    if turn_index >= len(rule):
        return True
    current_previous_action = conversation_state.get(core_constants.PREVIOUS_ACTION)
    rule_has_previous_action, sub_states = rule[turn_index]
    if not rule_has_previous_action and not current_previous_action:
        return True
    if not rule_has_previous_action or not current_previous_action:
        return False
    for state_type, items in sub_states:
        conversation_sub_state = conversation_state.get(state_type, {})
        for key, value_from_rules in items:
            if not value_fits(value_from_rules, conversation_sub_state.get(key)):
                return False
    return True


def get_possible_keys(self: RulePolicy, lookup: Dict[str, Any], states: List[State]) -> Set[str]:
    """`RulePolicy._get_possible_keys`: the same sets, filtered in the same order (the
    caller picks the longest key, so even the order of a tie is Rasa's)."""
    cls = type(self)
    if (
        cls._is_rule_applicable is not _rasa_is_rule_applicable
        or cls._does_rule_match_state is not _rasa_does_rule_match_state
        or cls._rule_key_to_state is not _rasa_rule_key_to_state
    ):
        return _rasa_get_possible_keys(self, lookup, states)
    rules, index = compiled_lookup(lookup)
    if not states:
        return set(lookup.keys())
    # The first filter (the last state) is Rasa's over the keys that can fit it: the
    # others it would drop, and the ones left are added to the new set in the order
    # Rasa's set iterates them, so the set is the same and iterates alike.
    last_state = states[-1]
    signature = signature_of(last_state)
    candidates = index.order if signature is None else index.candidates(signature)
    possible_keys = set(filter(lambda key: rule_fits(rules[key], 0, last_state), candidates))
    for i in range(1, len(states)):
        state = states[-1 - i]
        possible_keys = set(filter(lambda key: rule_fits(rules[key], i, state), possible_keys))
    return possible_keys


def apply() -> None:
    DialogueStateTracker.applied_events = applied_events
    Domain.states_for_tracker_history = states_for_tracker_history
    DialogueStateTracker.__init__ = tracker_init
    RulePolicy._get_possible_keys = get_possible_keys
