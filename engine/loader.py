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

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from engine.errors import KBError, KBIssue
from engine.gcpause import paused_gc
from engine.kbcache import DirectoryCache, cache_for
from engine.kbfiles import VOCABULARY_FILES
from engine.kbissues import did_you_mean, issues_from_pydantic
from engine.kbmodel import UNSET, KnowledgeBase, Origin
from engine.schema import (
    CAUSE_ID_PATTERN,
    FILE_MODELS,
    FORMAT_VERSION,
    Case,
    Cause,
    DerivationRule,
    ErrorPattern,
    EvidenceRule,
    Manifest,
    Observation,
    ProbeDeclaration,
    Question,
)
from engine.yamlsource import YamlDocument, YamlReadError, read_yaml

ModelT = TypeVar("ModelT", bound=BaseModel)

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

    ``cache_dir`` names a directory for the parse cache (see ``engine.kbcache``)
    and for the memory of KBs that passed the cross-file checks (see
    ``engine.kbcheckmemo``); None (the library's default) parses and checks
    every file.
    """
    with paused_gc():
        return _load(extra_dirs, include_builtin, cache_dir)


def _load(
    extra_dirs: Sequence[Path | str], include_builtin: bool, cache_dir: Path | None
) -> KnowledgeBase:
    from engine.kbcheck import check_kb
    from engine.kbcheckmemo import fingerprint, passed_before, remember_passed
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
    stamp = fingerprint(caches) if len(caches) == len(dirs) else None
    if issues or incomplete or knowledge.issues or not passed_before(cache_dir, stamp):
        issues.extend(check_kb(knowledge, incomplete))
    errors = sorted((i for i in issues if i.severity == "error"), key=KBIssue.sort_key)
    if errors:
        raise KBError(errors)
    for cache in caches:
        cache.store()
    remember_passed(cache_dir, stamp)
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
    files.sort(key=lambda pair: pair[1] != "manifest")
    for file, kind in files:
        if kind != "manifest" and _unsupported_format(knowledge, directory, issues):
            incomplete.update(FILE_MODELS)
            break
        file_issues = _load_file(file, kind, knowledge, cache)
        if file_issues:
            incomplete.add(kind)
        issues.extend(file_issues)
    return issues


def _unsupported_format(knowledge: KnowledgeBase, directory: Path, issues: list[KBIssue]) -> bool:
    """True (and one issue) when the directory's manifest names another file format.

    The rest of such a directory is not read: its files follow rules this
    conndoctor does not know, and their errors would only bury this one.
    """
    if not knowledge.manifests:
        return False
    manifest, origin = knowledge.manifests[-1]
    if manifest.format_version == FORMAT_VERSION or origin.file.parent != directory:
        return False
    message = (f"{manifest.name}: format_version {manifest.format_version} is not supported "
               f"(this conndoctor reads format_version {FORMAT_VERSION}); "
               "the rest of this KB directory was not read")
    issues.append(KBIssue(origin.file, origin.at("format_version").line, message))
    return True


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
    if document.from_cache:
        knowledge.cached_files.add(file)
    model = FILE_MODELS[kind]
    try:
        parsed = model.model_validate(document.data)
    except ValidationError as error:
        _register_valid_items(kind, document, knowledge)
        return issues_from_pydantic(document, model, error.errors())
    _register(parsed, kind, document, knowledge)
    return []


def _top_keys(kind: str) -> str:
    fields = FILE_MODELS[kind].model_fields
    return ", ".join(info.alias or name for name, info in fields.items())


# The list inside each vocabulary file, the model of one item, and how to add it.
_ITEMS: dict[str, tuple[str, type[BaseModel], str]] = {
    "observations": ("observations", Observation, "add_observation"),
    "questions": ("questions", Question, "add_question"),
    "derivations": ("rules", DerivationRule, "add_derivation"),
    "probes": ("probes", ProbeDeclaration, "add_probe"),
    "scenarios": ("cases", Case, "add_scenario"),
    "errors": ("patterns", ErrorPattern, "add_pattern"),
}


def _register(parsed: BaseModel, kind: str, doc: YamlDocument, knowledge: KnowledgeBase) -> None:
    """Add every item of a valid file to the KB, each with its origin."""
    if isinstance(parsed, Manifest):
        knowledge.add_manifest(parsed, _origin(doc))
    elif isinstance(parsed, Cause):
        _add_cause(parsed, list(range(len(parsed.rules))), list(range(len(parsed.cases))),
                   doc, knowledge)
    else:
        key, _, adder = _ITEMS[kind]
        for index, item in enumerate(getattr(parsed, key)):
            getattr(knowledge, adder)(item, _origin(doc, key, index))


def _register_valid_items(kind: str, doc: YamlDocument, knowledge: KnowledgeBase) -> None:
    """Add the items of a file with schema errors that are valid on their own.

    So the checks across files still run on the rest of the file: a typo in
    one rule does not hide an unknown fact in the next one.
    """
    data = doc.data
    if kind == "cause":
        ident = data.get("id")
        if not (isinstance(ident, str) and re.fullmatch(CAUSE_ID_PATTERN, ident)):
            return
        rules = _valid(data.get("rules"), EvidenceRule)
        cases = _valid(data.get("cases"), Case)
        partial = Cause.model_construct(
            id=ident, title="", summary="", mechanism="",
            rules=[rule for _, rule in rules], cases=[case for _, case in cases],
            replaces=data.get("replaces") is True,
        )
        _add_cause(partial, [i for i, _ in rules], [i for i, _ in cases], doc, knowledge)
    elif kind in _ITEMS:
        key, model, adder = _ITEMS[kind]
        for index, item in _valid(data.get(key), model):
            getattr(knowledge, adder)(item, _origin(doc, key, index))


def _valid(items: Any, model: type[ModelT]) -> list[tuple[int, ModelT]]:
    """The (index, item) pairs of a list that validate on their own."""
    found = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        try:
            found.append((index, model.model_validate(item)))
        except ValidationError:
            continue
    return found


def _add_cause(
    cause: Cause, rule_indexes: list[int], case_indexes: list[int], doc: YamlDocument,
    knowledge: KnowledgeBase,
) -> None:
    if doc.file.stem != cause.id:
        knowledge.issues.append(KBIssue(
            doc.file, doc.line_of(("id",)), f"{cause.id}: a cause file is named by its id "
            f"(rename {doc.file.name} to {cause.id}.yaml)"))
    rule_origins = [_origin(doc, "rules", index) for index in rule_indexes]
    case_origins = [_origin(doc, "cases", index) for index in case_indexes]
    knowledge.add_cause(cause, _origin(doc), rule_origins, case_origins)


def _origin(doc: YamlDocument, *path: str | int) -> Origin:
    return Origin(doc.file, UNSET, path, doc.lines)


__all__ = [
    "BUILTIN_KB",
    "FORMAT_VERSION",
    "VOCABULARY_FILES",
    "builtin_kb_dir",
    "did_you_mean",
    "load_kb",
]
