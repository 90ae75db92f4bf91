"""Cheaper NLU for a typed message where the FAQ answer selector (Rasa's
ResponseSelector) and the intent classifier beside it spend their time, with Rasa's own
outputs. Each part replaces a Rasa function; re-measure on any upgrade of Rasa, SciPy
or TensorFlow.

Rasa's `DIETClassifier._predict` (which the ResponseSelector inherits) makes a
`RasaModelData` of the message, hands it to a Keras data generator that cuts it into
one batch, and calls the model's prediction graph through its `tf.function`: about
2.8 ms of CPU for one message, of which TensorFlow's own work is about 0.5 ms.

1. The batch. Rasa first joins the sparse features of every featurizer into one
   matrix per feature type with `scipy.sparse.hstack`, one featurizer at a time (about
   0.7 ms), then turns the matrices into the generator's batch: for the text, a mask of
   ones, the indices, values and shape of the sentence matrix and of the sequence
   matrix, and the number of tokens. The batch is built here directly from the
   featurizers' matrices. `hstack` of COO matrices puts the entries of each matrix one
   after the other, each matrix's columns moved past the ones before it: the same
   entries in the same order as here, with the same types (values of the widest type,
   then float32, as Rasa casts them). Any other case (no features, dense features,
   matrices not in COO form, sizes that do not agree, a model expecting other inputs)
   goes through Rasa's own path, as before.

2. The graph call. With a fixed input signature the `tf.function` has exactly one
   traced graph (a concrete function), which it looks up on every call through
   TensorFlow's dispatch and argument handling. That same concrete function is called
   here directly with the batch as tensors; Rasa's own conversion of the outputs
   (`sync_to_numpy_or_python_type`, empty diagnostic lists to None) follows, as in
   `RasaModel._rasa_predict`. Same graph, same weights, same inputs: the scores come
   out bit for bit equal (the test compares them, and the batches, on every text
   of data/nlu/, the held-out messages and odd texts).

3. The intent classifier (LogisticRegressionClassifier) asks the message for its
   sparse features, which joins the per-token matrices as well as the sentence ones,
   and then uses only the sentence ones. Only those are joined here, by Rasa's own
   filter and join: the same matrix (the test compares it entry for entry). For one
   message with one-row COO sentence features (every typed message here), the matrix
   is built in one step (`single_row_matrix`): 1.2 -> 0.1 ms a message (2026-12-04,
   200 calls on a quiet machine), the same matrix entry for entry.

Measured with `python -m scripts.ab_selector_speed` (the NLU parse of the bench's 23
typed texts, 30 rounds, Rasa's way and each step alternated message by message in one
process, on a 2-core machine shared with other jobs), CPU of one parse, median:
Rasa 7.7 / 9.2 ms; with 1: 6.5 / 7.8; with 1 and 2: 5.7 / 6.9; with 1, 2 and 3:
5.1 / 6.2 ms (two runs). About 2.6-3 ms less per typed message (-34%): 1 about 1.3 ms,
2 about 0.8 ms, 3 about 0.6 ms. Button payloads never reach these components.
"""

from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import scipy.sparse  # type: ignore[import-untyped]
import tensorflow as tf  # type: ignore[import-untyped]
from keras.utils import tf_utils  # type: ignore[import-untyped]
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.constants import DIAGNOSTIC_DATA
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import FEATURIZERS
from rasa.utils.tensorflow.models import RasaModel

_rasa_predict_message = DIETClassifier._predict  # the ResponseSelector's own
CONCRETE = "_selector_speed_concrete_function"


def _sparse_values(matrices: List[Any]) -> Optional[List[np.ndarray]]:
    """Indices, values and shape of the matrices side by side, for a batch of one, as
    Rasa's generator makes them of their `hstack`; None for matrices not in COO form
    (hstack has other ways of joining those) or of different heights."""
    if not all(type(matrix) is scipy.sparse.coo_matrix for matrix in matrices):
        return None
    rows = matrices[0].shape[0]
    if any(matrix.shape[0] != rows for matrix in matrices):
        return None  # Rasa raises its own error about it
    offsets = np.cumsum([0] + [matrix.shape[1] for matrix in matrices])
    row = np.concatenate([matrix.row for matrix in matrices])
    moved = zip(matrices, offsets[:-1], strict=True)  # each past the columns before it
    col = np.concatenate([matrix.col + offset for matrix, offset in moved])
    data = np.concatenate([matrix.data for matrix in matrices])
    indices = np.vstack([np.zeros_like(row), row, col]).T
    return [
        indices.astype(np.int64),
        data.astype(np.float32),
        np.array((1, rows, offsets[-1]), dtype=np.int64),
    ]


def single_message_batch(
    message: Message, featurizers: Optional[List[str]]
) -> Optional[Tuple[np.ndarray, ...]]:
    """The one batch Rasa's data generator makes of the model data of this message for
    prediction, where the text has only sparse features, both per token and per
    sentence; None otherwise (Rasa's own path then)."""
    wanted = featurizers or []
    sequence: List[Any] = []
    sentence: List[Any] = []
    for feature in message.features:
        if feature.attribute != TEXT or (wanted and feature.origin not in wanted):
            continue
        if not feature.is_sparse():
            return None
        if feature.type == FEATURE_TYPE_SEQUENCE:
            sequence.append(feature.features)
        elif feature.type == FEATURE_TYPE_SENTENCE:
            sentence.append(feature.features)
        else:
            return None
    if not sequence or not sentence:
        return None
    sentence_values = _sparse_values(sentence)
    sequence_values = _sparse_values(sequence)
    if sentence_values is None or sequence_values is None or sentence[0].shape[0] != 1:
        return None
    tokens = sequence[0].shape[0]
    if tokens == 0:
        return None
    # Keys in Rasa's sorted order: the mask, the sentence, the sequence, its length.
    mask = np.ones((1, 1, 1), dtype=np.float32)
    lengths = np.array([tokens], dtype=np.float32)
    return (mask, *sentence_values, *sequence_values, lengths)


def _concrete_function(model: RasaModel) -> Optional[Any]:
    """The one graph the model's prediction `tf.function` has traced, or None where
    Rasa's own call is needed (eager models, a graph not built yet)."""
    if model._run_eagerly or model._tf_predict_step is None:
        return None
    if not model.prepared_for_prediction:
        return None
    concrete = model.__dict__.get(CONCRETE)
    if concrete is None or concrete[0] is not model._tf_predict_step:
        function = model._tf_predict_step
        concrete = (function, function.get_concrete_function())
        model.__dict__[CONCRETE] = concrete
    return concrete[1]


def _fits(concrete: Any, batch: Tuple[np.ndarray, ...]) -> bool:
    """Whether the batch matches the graph's inputs, one array per input."""
    specs = concrete.structured_input_signature[0][0]
    return len(specs) == len(batch) and all(
        spec.dtype.as_numpy_dtype == array.dtype and spec.shape.is_compatible_with(array.shape)
        for spec, array in zip(specs, batch, strict=True)
    )


def predict_batch(model: RasaModel, batch: Tuple[np.ndarray, ...]) -> Optional[Dict[str, Any]]:
    """`model._rasa_predict(batch)` through the traced graph itself; None where Rasa's
    own call is needed."""
    concrete = _concrete_function(model)
    if concrete is None or not _fits(concrete, batch):
        return None
    model._training = False
    tensors = [tf.constant(array) for array in batch]
    outputs = tf_utils.sync_to_numpy_or_python_type(
        concrete._call_flat(tensors, concrete.captured_inputs)
    )
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = model._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


def _predict(self: ResponseSelector, message: Message) -> Optional[Dict[str, Any]]:
    """`DIETClassifier._predict` for the FAQ answer selector, with the same outputs."""
    if self.model is not None:
        batch = single_message_batch(message, self.component_config.get(FEATURIZERS))
        if batch is not None:
            outputs = predict_batch(self.model, batch)
            if outputs is not None:
                return outputs
    return _rasa_predict_message(self, message)


_rasa_create_x = LogisticRegressionClassifier._create_X


def sparse_sentence_features(message: Message) -> Optional[Features]:
    """`message.get_sparse_features(TEXT)[1]`: the sentence features of all the
    featurizers joined, without joining the per-token ones too (Rasa's call joins both
    and the intent classifier drops those). Rasa's own filter and join."""
    _, sentence = message._filter_sparse_features(TEXT, [])
    return Message._combine_features(sentence, [])


def single_row_matrix(message: Message) -> Any:
    """The classifier's input for one message whose sentence features are all sparse
    one-row COO matrices (as this pipeline's featurizers make them), or None.

    Rasa joins them with `hstack` (their entries one after the other, each matrix's
    columns moved past the ones before), turns that into CSR (which sorts each row's
    entries and sums duplicates), joins an empty dense part (values become float64) and
    stacks the rows: the same matrix as one COO matrix of the moved entries turned into
    CSR, in float64."""
    _, sentence = message._filter_sparse_features(TEXT, [])
    if not sentence or message.get_dense_features(attribute=TEXT)[1] is not None:
        return None
    blocks = [feature.features for feature in sentence]
    if not all(type(b) is scipy.sparse.coo_matrix and b.shape[0] == 1 for b in blocks):
        return None
    offsets = np.cumsum([0] + [b.shape[1] for b in blocks])
    starts = offsets[:-1]
    columns = np.concatenate(
        [b.col.astype(np.int64) + o for b, o in zip(blocks, starts, strict=True)]
    )
    values = np.concatenate([b.data for b in blocks]).astype(np.float64)
    joined = scipy.sparse.coo_matrix(
        (values, (np.zeros(len(columns), dtype=np.int64), columns)),
        shape=(1, int(offsets[-1])),
    )
    return joined.tocsr()


def _create_x(self: LogisticRegressionClassifier, messages: List[Message]) -> Any:
    """LogisticRegressionClassifier._create_X, with the sparse sentence features found
    as above; the rest is Rasa's code."""
    if len(messages) == 1:
        matrix = single_row_matrix(messages[0])
        if matrix is not None:
            return matrix
    rows = []
    for message in messages:
        sparse = sparse_sentence_features(message)
        dense = message.get_dense_features(attribute=TEXT)[1]
        rows.append(
            scipy.sparse.hstack(
                [
                    scipy.sparse.csr_matrix(sparse.features if sparse else []),
                    scipy.sparse.csr_matrix(dense.features if dense else []),
                ]
            )
        )
    return scipy.sparse.vstack(rows)


def apply() -> None:
    ResponseSelector._predict = _predict
    LogisticRegressionClassifier._create_X = _create_x
