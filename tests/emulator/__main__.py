"""`python -m emulator [--host 127.0.0.1] [--port 0] [--pid-file FILE]`: serve the emulator in the foreground.

The first line written to stdout is the endpoint URL (useful with --port 0, which picks a free port)."""

from __future__ import annotations

import argparse
import logging
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
    if not args.log_requests:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    emulator = Emulator(args.host, args.port)
    if args.pid_file:
        args.pid_file.write_text(f"{os.getpid()}\n")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(emulator.endpoint, flush=True)
    try:
        emulator.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        emulator.server.server_close()
        if args.pid_file:
            args.pid_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
