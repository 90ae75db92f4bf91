"""Old home of the process helpers, kept only so that tests written against it keep
working: the helpers live in scripts/processes.py and scripts/conversation.py now.
Import from there; this module goes once nothing imports it any more."""

from scripts.conversation import buttons, texts  # noqa: F401
from scripts.processes import (  # noqa: F401
    PYTHON,
    ROOT,
    Process,
    RasaServer,
    free_port,
    http,
    start_action_server,
    temp_log_dir,
)
