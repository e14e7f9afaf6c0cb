"""conndoctor's built-in knowledge base: YAML data shipped as package data.

Nothing here is code; the directory is located through this module's path.
"""
