"""Readers and writers of DIDS submission files."""
