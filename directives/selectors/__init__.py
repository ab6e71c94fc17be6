"""Page-shaped reads. Each module does its own select/prefetch and aggregates in SQL, so that a page runs
a number of queries that does not grow with the data (asserted in tests/selectors/)."""
