"""`python -m bench.serve TARGET PORT PROCESSES [--factory]`: a bench server in several
processes, on the same kind of listening socket `coalesce serve --workers` uses."""

import sys

import uvicorn

from app.serving import run_processes


def main() -> None:
    target, port, processes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    config = uvicorn.Config(
        target,
        factory="--factory" in sys.argv,
        host="127.0.0.1",
        port=port,
        workers=processes,
        log_level="warning",
        access_log=False,
    )
    run_processes(config)


if __name__ == "__main__":
    main()
