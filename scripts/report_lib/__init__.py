"""Turns nmi-lab serial logs into a results matrix (Markdown, HTML, JSON, JUnit XML).

grammar  -- the log's line grammar: every pattern for a kernel line, and result lines split
parse    -- serial log text -> Run objects (tolerant of noise, truncation, garbage)
tap      -- serial log text -> a clean TAP 13 document (scripts/log2tap)
matrix   -- runs -> labelled columns, experiment rows, cells and shared footnotes
run_card -- what the report says about one run (its card, its label, how it ended)
legend   -- the report's words: verdict names and meanings, marks, the notation
render_* -- one module per output format, all reading the same Matrix
cli      -- the scripts/report command line
"""
