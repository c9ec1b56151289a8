"""Benchmarks of AllBuy (not tests): `make bench` runs every registered suite, see `bench/README.md`."""
