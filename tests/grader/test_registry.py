"""The spec and probe registries: chapter modules are collected, and a bad one harms no other."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder import exercises, probes
from autograder.registry import ChapterModules


@pytest.fixture
def fake_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ChapterModules:
    package = tmp_path / "fake_chapters"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "ch01.py").write_text("PROBES = {'ch01.a': len}\n")
    (package / "ch02.py").write_text("raise RuntimeError('half-written chapter')\n")
    (package / "ch04.py").write_text("import not_a_module_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return ChapterModules("fake_chapters")


def test_missing_and_broken_chapters_are_recorded(fake_package: ChapterModules) -> None:
    assert fake_package.module("01").PROBES == {"ch01.a": len}
    assert fake_package.module("02") is None and "half-written chapter" in fake_package.errors["02"]
    assert fake_package.module("03") is None and "does not exist yet" in fake_package.errors["03"]
    assert fake_package.module("04") is None and "not_a_module_anywhere" in fake_package.errors["04"]
    assert [m.__name__ for m in fake_package.all()] == ["fake_chapters.ch01"]


def test_chapter_01_is_registered() -> None:
    assert exercises.spec("01.standardize").probe == "ch01.standardize"
    assert {"01.channel_moments", "01.standardize"} <= set(exercises.SPECS)
    assert probes.probe("ch01.channel_moments") is probes.PROBES["ch01.channel_moments"]
    for spec in exercises.SPECS.values():
        assert spec.probe in probes.PROBES, f"{spec.id}: no probe {spec.probe}"


def test_unknown_ids_say_why() -> None:
    with pytest.raises(KeyError, match="no grader spec for 01.nope"):
        exercises.spec("01.nope")
    with pytest.raises(KeyError, match="no probe ch01.nope"):
        probes.probe("ch01.nope")
    with pytest.raises(AttributeError):
        exercises.NOT_THERE  # noqa: B018
