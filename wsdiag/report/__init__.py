"""Reporters: each turns a Diagnosis into a string and never prints."""
