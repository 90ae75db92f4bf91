"""Start the action server: `python -m actions --port 5055`.

The same as `python -m rasa_sdk --actions actions`, without TensorFlow. spaCy's
thinc imports TensorFlow when it is installed, only to offer it as a backend the
extraction rules never use; with it hidden the action server takes about 130 MB
instead of 630 MB and starts in 1.5 s instead of 4 s (docs/performance.md).
"""

import runpy
import sys

if __name__ == "__main__":
    # None in sys.modules makes an import of it raise ImportError: thinc goes on without.
    sys.modules["tensorflow"] = None  # type: ignore[assignment]
    if "--actions" not in sys.argv:
        sys.argv[1:1] = ["--actions", "actions"]
    sys.argv[0] = "rasa_sdk"
    runpy.run_module("rasa_sdk", run_name="__main__", alter_sys=True)
