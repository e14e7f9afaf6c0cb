"""Which files of a KB directory are KB files, and which are mistakes.

A file the loader does not read must be an error, never a silent drop: a
cause saved as ``causes/x.yml``, a vocabulary named ``observation.yaml`` or a
``cause/`` directory would otherwise vanish without a word. Only files that
clearly are not KB data are skipped: dotfiles (editor swap files),
``__pycache__``, Python files (a KB shipped as a package has
``__init__.py``), READMEs and licences.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import KBIssue
from engine.kbissues import did_you_mean

VOCABULARY_FILES = {
    "manifest.yaml": "manifest",
    "observations.yaml": "observations",
    "questions.yaml": "questions",
    "derivations.yaml": "derivations",
    "probes.yaml": "probes",
    "scenarios.yaml": "scenarios",
    "errors.yaml": "errors",
}
SUBDIRECTORIES = {"causes": "cause", "errors": "errors"}
_SKIPPED_SUFFIXES = (".py", ".pyc", ".pyi", ".md", ".typed")
_SKIPPED_PREFIXES = ("README", "LICENSE", "COPYING", "__pycache__")


def _skipped(entry: Path) -> bool:
    """True for files that are clearly not KB data."""
    return (
        entry.name.startswith(".")
        or entry.name.startswith(_SKIPPED_PREFIXES)
        or (entry.is_file() and entry.suffix in _SKIPPED_SUFFIXES)
    )


def kb_files(directory: Path) -> tuple[list[tuple[Path, str]], list[KBIssue]]:
    """The (file, kind) pairs of one KB directory, and an issue for every stray entry."""
    if not directory.is_dir():
        if directory.exists():
            message = "is a file, not a KB directory (--kb and CONNDOCTOR_KB_PATH name directories)"
        else:
            message = "KB directory does not exist"
        return [], [KBIssue(directory, None, message)]
    try:
        entries = sorted(directory.iterdir())
    except OSError as error:
        return [], [KBIssue(directory, None, f"cannot read the KB directory: {error.strerror}")]
    if not (directory / "manifest.yaml").is_file():
        return [], [KBIssue(directory, None, "not a KB directory: it has no manifest.yaml "
                            "(name, content_version, format_version)")]
    files: list[tuple[Path, str]] = []
    issues: list[KBIssue] = []
    for entry in entries:
        if _skipped(entry):
            continue
        if entry.is_dir():
            if entry.name in SUBDIRECTORIES:
                sub_files, sub_issues = _subdirectory(entry, SUBDIRECTORIES[entry.name])
                files += sub_files
                issues += sub_issues
            else:
                allowed = ", ".join(f"{name}/" for name in SUBDIRECTORIES)
                hint = did_you_mean(entry.name, SUBDIRECTORIES)
                issues.append(KBIssue(entry, None,
                                      f"unknown KB directory (allowed: {allowed}){hint}"))
        elif entry.name in VOCABULARY_FILES:
            files.append((entry, VOCABULARY_FILES[entry.name]))
        else:
            issues.append(KBIssue(entry, None, _unknown_file_message(entry.name)))
    return files, issues


def _subdirectory(directory: Path, kind: str) -> tuple[list[tuple[Path, str]], list[KBIssue]]:
    files: list[tuple[Path, str]] = []
    issues: list[KBIssue] = []
    try:
        entries = sorted(directory.iterdir())
    except OSError as error:
        return [], [KBIssue(directory, None, f"cannot read the directory: {error.strerror}")]
    for entry in entries:
        if _skipped(entry):
            continue
        if entry.is_file() and entry.suffix == ".yaml":
            files.append((entry, kind))
        elif entry.is_file() and entry.suffix == ".yml":
            issues.append(KBIssue(entry, None, f"KB files end in '.yaml', not '.yml' "
                                  f"(rename it to {entry.stem}.yaml)"))
        else:
            what = "directory" if entry.is_dir() else "file"
            issues.append(KBIssue(entry, None, f"unknown {what} in {directory.name}/ "
                                  f"(only one {kind} per '<id>.yaml' file belongs here)"))
    return files, issues


def _unknown_file_message(name: str) -> str:
    if name.endswith(".yml") and name[:-4] + ".yaml" in VOCABULARY_FILES:
        return f"KB files end in '.yaml', not '.yml' (rename it to {name[:-4]}.yaml)"
    allowed = ", ".join(VOCABULARY_FILES)
    hint = did_you_mean(name, VOCABULARY_FILES)
    return f"unknown KB file (allowed: {allowed}, causes/, errors/){hint}"
