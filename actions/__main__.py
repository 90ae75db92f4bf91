"""Start the action server: `python -m actions --port 5055`.

The same as `python -m rasa_sdk --actions actions`, without TensorFlow. spaCy's
thinc imports TensorFlow when it is installed, only to offer it as a backend the
extraction rules never use; with it hidden the action server takes about 130 MB
instead of 630 MB and starts in 1.5 s instead of 4 s (docs/performance.md).

Once the actions are loaded, what is loaded is frozen out of the garbage collector's
sight (`gc.freeze`): spaCy's pipeline, the extraction rules and the actions live as
long as the server. A full collection walked those 120,000 objects in 75-90 ms, a
pause that fell on whichever message was being answered; now it walks only what
the calls create.
"""

import gc
import runpy
import sys
from typing import Any

if __name__ == "__main__":
    # None in sys.modules makes an import of it raise ImportError: thinc goes on without.
    sys.modules["tensorflow"] = None  # type: ignore[assignment]
    import rasa_sdk.endpoint

    create_app = rasa_sdk.endpoint.create_app

    def create_app_then_freeze(*args: Any, **kwargs: Any) -> Any:
        app = create_app(*args, **kwargs)  # imports and registers the actions
        gc.collect()
        gc.freeze()
        return app

    rasa_sdk.endpoint.create_app = create_app_then_freeze
    if "--actions" not in sys.argv:
        sys.argv[1:1] = ["--actions", "actions"]
    sys.argv[0] = "rasa_sdk"
    runpy.run_module("rasa_sdk", run_name="__main__", alter_sys=True)
