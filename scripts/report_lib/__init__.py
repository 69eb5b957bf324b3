"""Turns nmi-lab serial logs into a results matrix (Markdown, HTML, JSON, JUnit XML).

parse    -- serial log text -> Run objects (tolerant of noise, truncation, garbage)
matrix   -- runs -> labelled columns, experiment rows, cells and shared footnotes
render_* -- one module per output format, all reading the same Matrix
cli      -- the scripts/report command line
"""
