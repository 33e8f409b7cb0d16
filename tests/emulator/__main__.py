"""`python -m emulator [--host 127.0.0.1] [--port 0] [--pid-file FILE]`: serve the emulator in the foreground.

The first line written to stdout is the endpoint URL (useful with --port 0, which picks a free port). One port
answers HTTP/1.1 and cleartext HTTP/2 (prior knowledge), so boto3 and the AWS SDK for JavaScript both reach it.
SIGTERM or SIGINT stops it; the exit status is then 0."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from .server import Emulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=4599, help="port to listen on; 0 picks a free one (default: 4599)")
    parser.add_argument("--pid-file", type=Path, help="write this process's PID here while serving")
    parser.add_argument("--log-requests", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)

    # Bound and listening from here on: a client told the URL below is never refused.
    emulator = Emulator(args.host, args.port, log_requests=args.log_requests)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: emulator.transport.request_stop())
    if args.pid_file:
        args.pid_file.write_text(f"{os.getpid()}\n")
    try:
        emulator.start()
        print(emulator.endpoint, flush=True)
        emulator.transport.wait()  # until a signal stops it, or granian fails
    finally:
        emulator.stop()
        if args.pid_file:
            args.pid_file.unlink(missing_ok=True)
    return 0 if emulator.transport.error is None else 1


if __name__ == "__main__":
    sys.exit(main())
