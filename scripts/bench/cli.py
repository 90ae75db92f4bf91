"""The benchmark's options and its run: train, serve and measure ours, then stock; report."""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import scripts.bench
from scripts.bench.measure import measure
from scripts.bench.report import goals, summary, table
from scripts.bench.serving import Served, serve, start_actions, stop
from scripts.bench.training import train_ours, train_stock
from scripts.bench.workload import OurScript, StockScript
from scripts.processes import ROOT, free_port

DEFAULT_MODEL = ROOT / "models" / "back-dimples.tar.gz"


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.bench", description=scripts.bench.__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--users", type=int, default=20, help="concurrent users in the load phase (20)"
    )
    parser.add_argument(
        "--messages",
        type=int,
        default=18,
        help="messages per user in the load phase, in whole conversations (18)",
    )
    parser.add_argument(
        "--messages-one",
        type=int,
        default=36,
        help="messages of the single user, in whole conversations (36)",
    )
    parser.add_argument(
        "--long-messages",
        type=int,
        default=400,
        help="messages of the one long conversation, after the load (400; 0 skips it)",
    )
    parser.add_argument("--skip-stock", action="store_true", help="measure only our bot")
    parser.add_argument(
        "--no-train", action="store_true", help="skip timing the training of our bot (a copy)"
    )
    parser.add_argument(
        "--stock-model", type=Path, help="serve this stock model instead of running rasa init"
    )
    parser.add_argument(
        "--model",
        type=Path,
        help="our model (default: $DIMPLES_MODEL or models/back-dimples.tar.gz)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an environment variable for our Rasa server (repeatable)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="Sanic workers for our server (>1: Redis lock store)"
    )
    parser.add_argument("--lock-store", choices=["memory", "redis"], default=None)
    parser.add_argument("--tracker-store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--whole-domain",
        action="store_true",
        help="send the domain to every action (Rasa's default; endpoints.yml sends it only "
        "to the actions that read it)",
    )
    parser.add_argument(
        "--actions-with-tf",
        action="store_true",
        help="start the action server as `python -m rasa_sdk` does (TensorFlow loaded)",
    )
    parser.add_argument(
        "--label", default="", help="a name for this configuration in the summary line"
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (logs, stock bot)"
    )
    return parser.parse_args(argv)


def our_model(args: argparse.Namespace) -> Path:
    model = args.model or Path(os.environ.get("DIMPLES_MODEL") or DEFAULT_MODEL)
    if not model.is_file():
        raise SystemExit(
            f"No trained model at {model}. The benchmark trains nothing of the project: run "
            "`./assistant train` first (or set DIMPLES_MODEL to a model file)."
        )
    return model.resolve()


def _psql(sql: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            os.environ.get("PGUSER", "postgres"),
            "-d",
            "postgres",
            "-q",
            "-c",
            sql,
        ],
        capture_output=True,
        text=True,
    )


def main(argv: Optional[List[str]] = None) -> int:
    # Before anything starts a child process: no telemetry, quieter logs.
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = parse_args(argv)
    model = our_model(args)
    env: Dict[str, str] = {}
    for item in args.env:
        key, _, value = item.partition("=")
        env[key] = value
    endpoints_extra: Dict[str, Any] = {}
    work = Path(tempfile.mkdtemp(prefix="dimples-bench-"))
    lock_store = args.lock_store or ("redis" if args.workers > 1 else "memory")
    if args.workers > 1:
        env["SANIC_WORKERS"] = str(args.workers)
    if lock_store == "redis":
        endpoints_extra["lock_store"] = {
            "type": "redis",
            "url": "127.0.0.1",
            "port": 6379,
            "key_prefix": f"bench{os.getpid()}",
        }
    if args.whole_domain:
        endpoints_extra["action_endpoint"] = {"enable_selective_domain": False}
    database = None
    # Ours with the project's own tracker store, as endpoints.yml serves it (its cache
    # of trackers, SQLite kept open in write-ahead-log mode); stock with Rasa's own.
    endpoints_extra["tracker_store"] = {
        "type": "persistence.tracker_store.EnvironmentSQLTrackerStore",
        "db": str(work / "tracker-ours.db"),
    }
    if args.tracker_store == "postgres":
        database = f"bench_{os.getpid()}"
        user = os.environ.get("PGUSER", "postgres")
        env["TRACKER_STORE_URL"] = f"postgresql://{user}@127.0.0.1:5432/{database}"
    settings = (
        ",".join(
            filter(
                None,
                [
                    args.label,
                    *[
                        f"{k}={v}"
                        for k, v in env.items()
                        if k not in ("SANIC_WORKERS", "TRACKER_STORE_URL")
                    ],
                    f"workers={args.workers}" if args.workers > 1 else "",
                    "redis-lock" if lock_store == "redis" else "",
                    "postgres" if database else "",
                    "whole-domain" if args.whole_domain else "",
                    "actions-with-tf" if args.actions_with_tf else "",
                ],
            )
        )
        or "as served"
    )

    ours, stock = Served("ours"), (None if args.skip_stock else Served("stock"))
    started = time.monotonic()
    interrupted = failed = False

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        print(f"==> Benchmark: our model {model}; logs in {work}", file=sys.stderr, flush=True)
        if database:
            # Rasa does not create a missing database: it falls back to an in-memory
            # store for each request (and forgets the conversations).
            created = _psql(f"CREATE DATABASE {database}")
            if created.returncode != 0:
                raise SystemExit(
                    f"could not create the PostgreSQL database {database}: {created.stderr.strip()}"
                )
        # Training first, while nothing else of ours runs.
        if not args.no_train:
            ours.figures["train_s"] = train_ours(work)
        stock_model = args.stock_model
        if stock and not stock_model:
            stock_model, stock.figures["train_s"] = train_stock(work)

        print("==> ours: starting the action server, then Rasa", file=sys.stderr, flush=True)
        ours.actions, action_url, ours.figures["actions_ready_s"] = start_actions(
            work, args.actions_with_tf
        )
        serve(
            ours,
            model,
            work,
            action_url,
            env,
            endpoints_extra,
            OurScript,
        )
        ours.figures["ready_total_s"] = ours.figures["actions_ready_s"] + ours.figures["ready_s"]
        measure(ours, args)
        stop(ours)

        if stock:
            print("==> stock: starting Rasa", file=sys.stderr, flush=True)
            # The stock bot has no custom actions; the URL is never called.
            serve(
                stock,
                stock_model.resolve(),
                work,
                f"http://127.0.0.1:{free_port()}/webhook",
                {},
                {},
                StockScript,
                credentials={"rest": None},
            )  # Rasa's own REST connector
            stock.figures["ready_total_s"] = stock.figures["ready_s"]
            measure(stock, args)
            stop(stock)
    except KeyboardInterrupt:
        interrupted = True
    except BaseException:
        failed = True  # keep the logs the error message points to
        raise
    finally:
        for served in (ours, stock):
            if served:
                stop(served)
        if database:
            _psql(f"DROP DATABASE IF EXISTS {database}")
        if args.keep or interrupted or failed:
            print(f"==> kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if interrupted:
        return 130

    bots = [ours] + ([stock] if stock else [])
    highest_load = max(f["load"] for b in bots for f in (b.figures["one"], b.figures["many"]))
    print()
    print(
        f"Benchmark of {model.name} ({settings}) on {os.cpu_count()} cores; "
        f"{ours.figures['one']['n']} messages with 1 user, "
        f"{ours.figures['many']['n']} with {args.users} users"
        + (
            f"; stock: {stock.figures['one']['n']} and {stock.figures['many']['n']}"
            if stock
            else ""
        )
        + f"; highest 1-min load average seen {highest_load:.1f}"
        + f"; whole run {time.monotonic() - started:.0f} s"
    )
    print(table(bots, args.users))
    for served in bots:
        if served.figures["examples"]:
            print(f"{served.name}: first wrong answers:")
            for example in served.figures["examples"]:
                print("   ", example)
    if stock:
        print("Goals (ours against stock):")
        print("\n".join(goals(ours, stock, args.users)))
    if args.json:
        args.json.write_text(json.dumps({b.name: b.figures for b in bots}, indent=2, default=str))
    print(summary(ours, stock, args.users, settings))
    return 1 if any(b.figures["wrong"] for b in bots) else 0
