"""What each command does (analyze, check, compare, events, watch), callable without the CLI.

A command takes resolved inputs and options and returns data (diagnoses, a check result, a
comparison, a stream of events); :mod:`wsdiag.cli` declares its arguments, renders what it
returns through :mod:`wsdiag.report`, writes it and picks the exit status.
"""
