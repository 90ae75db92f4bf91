"""Benchmark the assistant against stock Rasa's `rasa init` bot, in one run.

    ./assistant bench                         # = python -m scripts.bench: the full run (5-6 min)
    python -m scripts.bench --skip-stock --no-train   # only our bot's serving figures (about 1 min)

A measurement, not a test: it trains nothing of the project. It serves the model in
models/back-dimples.tar.gz (or the file named by DIMPLES_MODEL; it stops if there
is none) with its action server, and stock Rasa's starter bot, which `rasa init`
creates and trains in a temporary folder. Both are started the same way (`rasa
run --enable-api` by scripts/processes.py, REST channel, an SQLite tracker store in
the temporary folder, the in-memory lock store, one Sanic worker) and measured the
same way, one after the other, by the same client (scripts/conversation.py):

* time to ready: from starting `rasa run` until /status answers and a first
  message is answered over the REST channel (for our bot the action server is
  started first, as scripts/run_local.py does, and its start time is added);
* latency per message (p50/p95/p99, client side) over the REST channel, after one
  warm-up conversation: one user, then 20 concurrent users (threads, each its own
  sender id, all starting together); messages per second of each phase;
* CPU time of the Rasa server per message (from /proc): unlike latency, it hardly
  moves when other work runs on the machine, so it tells settings apart;
* memory: resident set size (RSS) of the Rasa server's processes after the load,
  and for our bot, separately, of the action server;
* training time: the wall time of `rasa init --no-prompt` (which trains the stock
  bot) and of `rasa train --force` on a copy of this project's config.yml,
  domain.yml and data/ in a temporary folder (the project's own model and
  training cache are not touched). Both start from an empty training cache.
  --no-train skips ours; --stock-model reuses a trained stock model.

Every reply is checked (the expected texts come from the served model's own
domain, GET /domain, and for our screening the next question from
screening.questions); wrong answers are counted and the first ones printed. Our
bot's mix is one 18-message conversation: a greeting, a whole screening by
buttons and free text with an FAQ question in the middle of it, thanks, and two
FAQ questions (fixed in workload.py, rotating over the users). The stock bot's is
its own 6-message conversation (greet, sad, "did that help?" yes, bot challenge,
great, goodbye). Each user sends at least --messages messages, in whole
conversations, each with a new sender id.

The last line printed is the summary: our figures, stock's and the ratios (ours /
stock). docs/performance.md has the figures of a run and what each lever changed.

Levers (the defaults are how the project serves the assistant; they apply to our
bot only, stock always runs with Rasa's defaults): --env KEY=VALUE (for example
TF_INTRA_OP_PARALLELISM_THREADS=1), --workers N (N Sanic workers with a Redis lock
store at 127.0.0.1:6379), --tracker-store postgres (a temporary database at
127.0.0.1:5432), --whole-domain, --actions-with-tf
(the action server as `python -m rasa_sdk` starts it, TensorFlow loaded), --model PATH,
--env MESSAGE_CONCURRENCY=0 (no arrival-order gate).

The modules: cli (options, the run), workload (the scripted conversations and the
answer checks), serving (starting the bots), measure (the load and the figures),
training, report (the table and the summary line).
"""
