"""Benchmarks: real processes (app instances, PostgreSQL, Redis) driven by open-loop load generators."""
