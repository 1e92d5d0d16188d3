"""Batch work on Dask distributed: allocation datasets, allocator scoring and seeded campaigns."""
