"""conndoctor's engine: KB loading, forward chaining, scoring, questions and probes.

The engine is a quiet library: it never prints, prompts or exits. It returns
pydantic models and reports progress through callbacks; ``cli/`` owns the terminal.
"""
