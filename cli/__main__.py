"""``python -m cli``: the same as the ``conndoctor`` console script."""

from cli.main import console_main

if __name__ == "__main__":
    console_main()
