"""What the tests share and the benchmarks borrow: generated sites (sitegen), a command's process
tree (proctree), synthetic census sites (census_sites), the labelled serious-error set
(serious_labelled). The tests import ``support.…`` (pytest puts tests/ on the path); the
scripts under bench/ import ``tests.support.…`` from the repository root — never the other way
round, so the test suite does not depend on bench/."""
