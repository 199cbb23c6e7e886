"""The spec and probe registries: chapter modules are collected, and a bad one harms no other."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.grader import specs as exercises
from autograder.registry import ChapterModules
from autograder.submission import probes


@pytest.fixture
def fake_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ChapterModules:
    package = tmp_path / "fake_chapters"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "ch01.py").write_text("PROBES = {'01.a': len}\n")
    (package / "ch02.py").write_text("raise RuntimeError('half-written chapter')\n")
    (package / "ch04.py").write_text("import not_a_module_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return ChapterModules("fake_chapters")


def test_missing_and_broken_chapters_are_recorded(fake_package: ChapterModules) -> None:
    assert {"01.a": len} == fake_package.module("01").PROBES
    assert fake_package.module("02") is None and "half-written chapter" in fake_package.errors["02"]
    assert fake_package.module("03") is None and "does not exist yet" in fake_package.errors["03"]
    assert fake_package.module("04") is None and "not_a_module_anywhere" in fake_package.errors["04"]
    assert [m.__name__ for m in fake_package.all()] == ["fake_chapters.ch01"]


def test_every_exercise_has_a_probe_under_its_id() -> None:
    every = exercises.all_specs()
    assert {"01.channel_moments", "04.ema_debias", "08.capstone"} <= {s.id for s in every}
    for spec in every:
        assert callable(probes.probe(spec.id)), spec.id


def test_unknown_ids_say_why() -> None:
    with pytest.raises(KeyError, match="no grader spec for 01.nope"):
        exercises.spec("01.nope")
    with pytest.raises(KeyError, match="no probe for 01.nope"):
        probes.probe("01.nope")
