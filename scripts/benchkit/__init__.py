"""The pieces of scripts/bench.py: the data set, the servers, wrk, and the in-process counts."""
