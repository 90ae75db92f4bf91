"""CPU of the NLU parse of the bench's typed messages, with components/selector_speed.py
and with Rasa's own functions, alternated message by message in one process.

    .venv/bin/python -m scripts.ab_selector_speed [--rounds 30]

On a machine shared with other jobs the CPU per message of whole runs drifts by more
than the speedup; alternating both ways on the same message, in the same process,
keeps the drift out of the difference. A measurement, not a test.
"""

import argparse
import asyncio
import logging
import os
import statistics
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

from scripts.bench.workload import OurScript
from scripts.processes import ROOT

Modes = Dict[str, Callable[[], None]]


def modes() -> Modes:
    from rasa.nlu.classifiers.logistic_regression_classifier import (
        LogisticRegressionClassifier,
    )
    from rasa.nlu.selectors.response_selector import ResponseSelector

    from components import selector_speed

    def set_functions(predict: Any, create_x: Any) -> Callable[[], None]:
        def apply() -> None:
            ResponseSelector._predict = predict
            LogisticRegressionClassifier._create_X = create_x

        return apply

    rasa_x, fast_x = selector_speed._rasa_create_x, selector_speed._create_x
    rasa_predict, fast_predict = selector_speed._rasa_predict_message, selector_speed._predict

    def batch_only(self: Any, message: Any) -> Any:  # the batch built, Rasa's graph call
        featurizers = self.component_config.get("featurizers")
        batch = selector_speed.single_message_batch(message, featurizers)
        if batch is None:
            return rasa_predict(self, message)
        return self.model._rasa_predict(batch)

    return {
        "rasa": set_functions(rasa_predict, rasa_x),
        "batch (1)": set_functions(batch_only, rasa_x),
        "selector (1, 2)": set_functions(fast_predict, rasa_x),
        "all (1, 2, 3)": set_functions(fast_predict, fast_x),
    }


async def run(rounds: int) -> None:
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import UserMessage
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.INFO)  # as `rasa run` does: debug calls are no-ops
    model = Path(os.environ.get("DIMPLES_MODEL", ROOT / "models" / "back-dimples.tar.gz"))
    agent = await load_agent(model_path=str(model))
    script = OurScript(agent.domain.as_dict())
    texts: List[str] = []
    for index in range(20):
        for step in script.conversation(index):
            if not step.text.startswith("/") and step.text not in texts:
                texts.append(step.text)
    ways = modes()
    cpu: Dict[str, List[float]] = {name: [] for name in ways}
    for _ in range(rounds):
        for text in texts:
            for name, apply in ways.items():
                apply()
                started = time.process_time()
                await agent.processor.parse_message(UserMessage(text, sender_id="ab"))
                cpu[name].append(time.process_time() - started)
    ways["all (1, 2, 3)"]()
    print(f"{len(texts)} typed texts x {rounds} rounds, CPU of one parse (ms):")
    for name, times in cpu.items():
        print(
            f"  {name:16} median {1000 * statistics.median(times):5.2f}"
            f"  mean {1000 * statistics.mean(times):5.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    asyncio.run(run(parser.parse_args().rounds))


if __name__ == "__main__":
    main()
