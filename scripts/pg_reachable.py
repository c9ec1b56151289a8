"""Exit 0 when the PostgreSQL server in argv[1] accepts a connection, 1 otherwise (one line on stderr)."""

import sys

import psycopg


def main() -> int:
    url = sys.argv[1]
    try:
        with psycopg.connect(url, connect_timeout=3):
            return 0
    except psycopg.Error as exc:
        print(f"PostgreSQL not reachable: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
