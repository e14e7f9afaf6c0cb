"""Safe YAML reading: hostile or odd files give a one-line reason with a line, never a hang."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.yamlsource import YamlReadError, read_yaml

BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefg", "bcdefgh", strict=True)
)

CASES = {
    "alias bomb": ("a: &a [x, x, x, x, x, x, x, x, x]\n" + BOMB,
                   1, "more than 1000000 values (aliases expanding without bound?)"),
    "recursive alias": ("a: &a [*a]\n", 1, "nested more than 64 levels deep"),
    "deep nesting": ("a: " + "[" * 100 + "]" * 100 + "\n", 1, "nested more than 64 levels deep"),
    "tab indentation": ("a:\n\tb: 1\n", 2,
                        "malformed YAML: a tab character; YAML indents with spaces only"),
    "two documents": ("a: 1\n---\nb: 2\n", 2,
                      "malformed YAML: a second document ('---'); a KB file holds exactly one"),
    "python tag": ("a: !!python/object/apply:os.system ['true']\n", 1,
                   "unsafe or unknown YAML tag: 'tag:yaml.org,2002:python/object/apply:os.system' "
                   "(plain YAML only)"),
    "nested duplicate key": ("a:\n  b: 1\n  c: 2\n  b: 3\n", 4,
                             "duplicate key 'b' (first at line 2); YAML would silently keep "
                             "only the last one"),
    "not utf-8": (b"a: caf\xe9\n", 1,
                  "not UTF-8 (byte 0xe9 at offset 6); save the file as UTF-8"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_yaml_is_refused_with_line_and_reason(name: str, tmp_path: Path) -> None:
    """Each hostile or malformed file raises YamlReadError naming its line and the cause."""
    text, line, message = CASES[name]
    file = tmp_path / "x.yaml"
    if isinstance(text, bytes):
        file.write_bytes(text)
    else:
        file.write_text(text, encoding="utf-8")
    with pytest.raises(YamlReadError) as raised:
        read_yaml(file)
    assert (raised.value.line, raised.value.message) == (line, message)


def test_lines_of_nested_values_are_recorded(tmp_path: Path) -> None:
    """The line map points at each value, inside mappings and lists."""
    file = tmp_path / "x.yaml"
    file.write_text("rules:\n  - id: a\n    when:\n      all:\n        - {fact: x, value: 1}\n")
    document = read_yaml(file)
    assert document.line_of(("rules", 0, "when", "all", 0, "fact")) == 5
    assert document.line_of(("rules", 0, "id")) == 2
    assert document.line_of(("rules", 0, "missing", "deeper")) == 2


def test_a_utf8_bom_and_an_empty_file_are_read(tmp_path: Path) -> None:
    """A byte-order mark is accepted; an empty file is data None (the loader reports it)."""
    bom = tmp_path / "bom.yaml"
    bom.write_bytes("\ufeffa: 1\n".encode())
    assert read_yaml(bom).data == {"a": 1}
    empty = tmp_path / "empty.yaml"
    empty.write_text("# only a comment\n")
    assert read_yaml(empty).data is None


def test_read_yaml_gives_what_safe_load_gives_for_every_kb_file() -> None:
    """The one-pass builder yields exactly yaml.safe_load's data (types included) for real files."""
    import yaml

    from tests.conftest import REPO

    files = [f for root in ("kb", "docs/examples", "tests/kb/lint") for f in
             sorted((REPO / root).rglob("*.yaml"))]
    assert len(files) > 10
    for file in files:
        expected = yaml.safe_load(file.read_text(encoding="utf-8"))
        assert repr(read_yaml(file).data) == repr(expected), file


def test_unusual_yaml_goes_through_the_safe_constructor(tmp_path: Path) -> None:
    """Merge keys, non-string keys and typed scalars come out as safe_load builds them."""
    import yaml

    text = ("base: &b {x: 1, y: two}\nmerged:\n  <<: *b\n  y: 3\n1: one\nfalse: yes\n"
            "n: null\nf: 1.5e3\nd: 2024-01-02\nq: '007'\n")
    file = tmp_path / "x.yaml"
    file.write_text(text)
    assert repr(read_yaml(file).data) == repr(yaml.safe_load(text))
