"""conndoctor's command line: the only package that knows about terminals."""
