"""`python -m chalicelib.local`: run the local stack until Ctrl-C (what `make run` calls)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

from .stack import PROJECT_DIR, LocalStack, quickstart


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    moto_port = int(os.environ.get("MOTO_PORT", "5000"))
    api_port = int(os.environ.get("PORT", "8000"))
    state_dir = Path(os.environ.get("LOCAL_STATE_DIR", PROJECT_DIR / ".local"))
    stack = LocalStack(host, moto_port, api_port, state_dir)
    stopped = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    details = stack.start()
    print(quickstart(details, state_dir / "stack.json"), flush=True)
    # Poll rather than wait once: a signal that lands while the main thread is inside
    # Event.wait() itself (after the flag check, before it sleeps) would otherwise be missed.
    while not stopped.wait(timeout=0.5):
        continue
    print("\nStopping…", flush=True)
    stack.stop()
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
