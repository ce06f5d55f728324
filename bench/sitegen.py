"""``python -m bench.sitegen --pages 300``: serve a generated site until interrupted. The
generator lives with the tests that use it (tests/support/sitegen.py); the benchmarks import it
from there."""

from tests.support.sitegen import main

if __name__ == "__main__":
    main()
