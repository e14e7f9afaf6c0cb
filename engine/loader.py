"""Read KB directories into one validated ``KnowledgeBase``.

A KB directory holds ``manifest.yaml``, the shared vocabularies
(``observations.yaml``, ``questions.yaml``, ``derivations.yaml``,
``probes.yaml``, ``errors.yaml`` or ``errors/*.yaml``, ``scenarios.yaml``) and
one file per cause in ``causes/``. Every file is checked against its pydantic
model; every problem is collected (file, line, id, value, allowed values)
before anything is raised, so a contributor sees all of them at once.

Which files belong to a KB is ``kbfiles``' job, the wording of schema errors
``kbissues``', the checks across files ``kbcheck``'s and the parse cache
``kbcache``'s; this module puts them in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ValidationError

from engine.errors import KBError, KBIssue
from engine.kbcache import DirectoryCache, cache_for
from engine.kbfiles import VOCABULARY_FILES
from engine.kbissues import did_you_mean, issues_from_pydantic
from engine.kbmodel import KnowledgeBase, Origin
from engine.schema import (
    FILE_MODELS,
    FORMAT_VERSION,
    Cause,
    DerivationsFile,
    ErrorPatternsFile,
    Manifest,
    ObservationsFile,
    ProbesFile,
    QuestionsFile,
    ScenariosFile,
)
from engine.yamlsource import YamlDocument, YamlReadError, read_yaml

BUILTIN_KB = Path(__file__).resolve().parent.parent / "kb"


def builtin_kb_dir() -> Path:
    """The directory of the KB shipped with conndoctor (package data of ``kb``)."""
    import kb

    return Path(kb.__file__).resolve().parent


def load_kb(
    extra_dirs: Sequence[Path | str] = (),
    *,
    include_builtin: bool = True,
    cache_dir: Path | None = None,
) -> KnowledgeBase:
    """Load the built-in KB plus extra directories; raise KBError holding every error.

    ``cache_dir`` names a directory for the parse cache (see ``engine.kbcache``);
    None (the library's default) parses every file.
    """
    from engine.kbcheck import check_kb
    from engine.kbpaths import unique_dirs

    builtin = [builtin_kb_dir()] if include_builtin else []
    dirs = unique_dirs(builtin + [Path(d) for d in extra_dirs])
    issues: list[KBIssue] = []
    incomplete: set[str] = set()
    knowledge = KnowledgeBase()
    caches = []
    for directory in dirs:
        cache = cache_for(cache_dir, directory) if directory.is_dir() else None
        issues.extend(_load_directory(directory, knowledge, cache, incomplete))
        if cache is not None:
            caches.append(cache)
    if not dirs:
        issues.append(KBIssue(None, None, "no KB directory to load"))
    issues.extend(check_kb(knowledge, incomplete))
    errors = sorted((i for i in issues if i.severity == "error"), key=KBIssue.sort_key)
    if errors:
        raise KBError(errors)
    for cache in caches:
        cache.store()
    knowledge.finish()
    return knowledge


def _load_directory(
    directory: Path, knowledge: KnowledgeBase, cache: DirectoryCache | None, incomplete: set[str]
) -> list[KBIssue]:
    """Load every file of one directory; note in ``incomplete`` the kinds that failed."""
    from engine.kbfiles import kb_files

    files, issues = kb_files(directory)
    if not directory.is_dir():
        incomplete.update(FILE_MODELS)
    for file, kind in files:
        file_issues = _load_file(file, kind, knowledge, cache)
        if file_issues:
            incomplete.add(kind)
        issues.extend(file_issues)
    return issues


def _load_file(
    file: Path, kind: str, knowledge: KnowledgeBase, cache: DirectoryCache | None
) -> list[KBIssue]:
    try:
        document = cache.read(file) if cache is not None else read_yaml(file)
    except YamlReadError as error:
        return [KBIssue(error.file, error.line, error.message)]
    if not isinstance(document.data, dict):
        if document.data is None:
            return [KBIssue(file, 1, f"empty file; a {kind} file is a mapping of keys "
                            f"({_top_keys(kind)})")]
        got = "a list" if isinstance(document.data, list) else repr(document.data)
        return [KBIssue(file, document.line_of(()), f"a {kind} file must be a mapping of keys "
                        f"({_top_keys(kind)}), not {got}")]
    model = FILE_MODELS[kind]
    try:
        parsed = model.model_validate(document.data)
    except ValidationError as error:
        return issues_from_pydantic(document, model, error.errors())
    _register(parsed, file, document, knowledge)
    return []


def _top_keys(kind: str) -> str:
    fields = FILE_MODELS[kind].model_fields
    return ", ".join(info.alias or name for name, info in fields.items())


def _register(parsed: BaseModel, file: Path, doc: YamlDocument, knowledge: KnowledgeBase) -> None:
    def origin(*path: str | int) -> Origin:
        return Origin(file, doc.line_of(path), path, doc.lines)

    if isinstance(parsed, Manifest):
        knowledge.add_manifest(parsed, origin())
    elif isinstance(parsed, ObservationsFile):
        for index, observation in enumerate(parsed.observations):
            knowledge.add_observation(observation, origin("observations", index))
    elif isinstance(parsed, QuestionsFile):
        for index, question in enumerate(parsed.questions):
            knowledge.add_question(question, origin("questions", index))
    elif isinstance(parsed, DerivationsFile):
        for index, rule in enumerate(parsed.rules):
            knowledge.add_derivation(rule, origin("rules", index))
    elif isinstance(parsed, ProbesFile):
        for index, probe in enumerate(parsed.probes):
            knowledge.add_probe(probe, origin("probes", index))
    elif isinstance(parsed, ScenariosFile):
        for index, case in enumerate(parsed.cases):
            knowledge.add_scenario(case, origin("cases", index))
    elif isinstance(parsed, ErrorPatternsFile):
        for index, pattern in enumerate(parsed.patterns):
            knowledge.add_pattern(pattern, origin("patterns", index))
    elif isinstance(parsed, Cause):
        rule_lines = [origin("rules", index) for index in range(len(parsed.rules))]
        case_lines = [origin("cases", index) for index in range(len(parsed.cases))]
        knowledge.add_cause(parsed, origin(), rule_lines, case_lines)


__all__ = [
    "BUILTIN_KB",
    "FORMAT_VERSION",
    "VOCABULARY_FILES",
    "builtin_kb_dir",
    "did_you_mean",
    "load_kb",
]
