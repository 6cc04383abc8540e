"""What kind of run a running plan's event is: long, hard, easy, rest or race (issue 31).

Pure: an event's title, description and duration in, a kind (or None: unknown, to be asked
about) out. The words and the "long" marks live in ``data/run_words.toml``, whose header
gives the order of the checks. A runner's own answers are their rules, keyed by the event's
title without numbers and units (``rule_key``: "Long run 28 km" and "Long run 32 km" are one
rule), and always win. An event long by its numbers has a rule of its own ("Run 28 km" is
not "Run 8 km"): its key ends with ``LONG_MARK``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from statistics import median
from types import MappingProxyType

from bot.coaching.datafile import Table, read_toml
from bot.coaching.profile import DayKind

LANGUAGES = ("en", "fr", "de", "es", "it")
MILE_KM = 1.609344
LONGEST_MINUTES = 12 * 60  # a timed event longer than this is no run's duration
UNITS = frozenset(
    {"km", "k", "m", "mi", "mile", "miles", "min", "mins", "minute", "minutes", "minuten",
     "minutos", "minuti", "h", "hr", "hrs", "s", "sec", "x"}
)  # fmt: skip
_KM = re.compile(r"(\d+(?:[.,]\d+)?)\s*(km|k)\b")
_MILES = re.compile(r"(\d+(?:[.,]\d+)?)\s*(mi|miles?)\b")
_MINUTES = re.compile(r"(\d+)\s*(?:min|mins|minutes?|minuten|minutos|minuti)\b")
_HOURS = re.compile(r"\b(\d{1,2})\s*h\s*(\d{2})?\b")
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2}):(\d{2})\b")
LONG_MARK = " #long"
_REPS = re.compile(r"\b\d+\s*x\s*\d")  # "6 x 800 m", "10x400": repetitions are a hard session
_WORD = re.compile(r"[^\W\d_]+|\d+")


class RunKind(StrEnum):
    """What a plan's event is, as the runner confirms it."""

    LONG = "long"
    HARD = "hard"
    EASY = "easy"
    REST = "rest"
    RACE = "race"


class Source(StrEnum):
    """Why an event got its kind."""

    RULE = "rule"  # the runner's own answer
    WORDS = "words"  # the title's (or description's) words
    DISTANCE = "distance"  # long against the usual distance
    DURATION = "duration"  # long against the usual duration


DAY_KIND = {
    RunKind.LONG: DayKind.LONG,
    RunKind.HARD: DayKind.HARD,
    RunKind.EASY: DayKind.EASY,
    RunKind.REST: DayKind.REST,
    # A race is a quality day for placement (P2's strictest distance, P3 both ways); the
    # race date itself (P6) is set only once the runner says so.
    RunKind.RACE: DayKind.HARD,
}
_DEMAND = (DayKind.REST, DayKind.EASY, DayKind.LONG, DayKind.HARD)  # least demanding first


@dataclass(frozen=True, slots=True)
class PlannedRun:
    """One event of the running plan on its local day; ``minutes``: its timed duration (None
    for an all-day event)."""

    day: date
    title: str
    description: str = ""
    minutes: int | None = None

    @property
    def km(self) -> float | None:
        """The distance its title names, if any (the longest named)."""
        text = _plain(self.title)
        found = [_number(m.group(1)) for m in _KM.finditer(text)]
        found += [_number(m.group(1)) * MILE_KM for m in _MILES.finditer(text)]
        return max(found, default=None)

    @property
    def duration(self) -> int | None:
        """Its length in minutes: the event's own, or else what its title names."""
        if self.minutes is not None and 0 < self.minutes <= LONGEST_MINUTES:
            return self.minutes
        text = _plain(self.title)
        found = [int(m.group(1)) for m in _MINUTES.finditer(text)]
        found += [int(m.group(1)) * 60 + int(m.group(2) or 0) for m in _HOURS.finditer(text)]
        found += [int(m.group(1)) * 60 + int(m.group(2)) for m in _CLOCK.finditer(text)]
        return max(found, default=None)


@dataclass(frozen=True, slots=True)
class Usual:
    """The runner's usual run in their plan: the median distance and duration it names."""

    km: float | None = None
    minutes: float | None = None


@dataclass(frozen=True, slots=True)
class Reading:
    """An event's kind (None: unknown, to ask about), why, and the key of the runner's rule
    that names it (``rule_key``, marked when the event is long by its numbers)."""

    kind: RunKind | None
    source: Source | None
    key: str


@dataclass(frozen=True, slots=True)
class RunWords:
    """The words of each kind (every language together) and the marks of a long run."""

    words: Mapping[RunKind, tuple[str, ...]]
    ratio: float
    floor_km: int
    floor_minutes: int
    absolute_km: int
    absolute_minutes: int


def rule_key(title: str) -> str:
    """The title's words without numbers, units and accents, lowercase: a runner's rule."""
    words = [w for w in _WORD.findall(_plain(title)) if not w.isdigit() and w not in UNITS]
    return " ".join(words) or _plain(title).strip()


def usual_of(runs: Iterable[PlannedRun]) -> Usual:
    """The median distance and duration of the runs that name them."""
    runs = list(runs)
    distances = [km for km in (run.km for run in runs) if km]
    durations = [m for m in (run.duration for run in runs) if m]
    return Usual(median(distances) if distances else None, median(durations) if durations else None)


def classify(
    run: PlannedRun,
    usual: Usual,
    rules: Mapping[str, RunKind] = MappingProxyType({}),
    words: RunWords | None = None,
) -> Reading:
    """The kind of ``run``: the runner's rule, else the words and numbers (see the data
    file's header for the order), else unknown."""
    words = words or run_words()
    long_by = _long_by(run, usual, words)
    key = rule_key(run.title) + (LONG_MARK if long_by is not None else "")
    own = rules.get(key)
    if own is not None:
        return Reading(own, Source.RULE, key)
    title = _plain(run.title)
    if _REPS.search(title):
        return Reading(RunKind.HARD, Source.WORDS, key)
    for kind in (RunKind.HARD, RunKind.RACE, RunKind.REST, RunKind.LONG):
        if _names(title, words.words[kind]):
            return Reading(kind, Source.WORDS, key)
    if long_by is not None:
        return Reading(RunKind.LONG, long_by, key)
    if _names(title, words.words[RunKind.EASY]):
        return Reading(RunKind.EASY, Source.WORDS, key)
    description = _plain(run.description)
    for kind in (RunKind.HARD, RunKind.LONG, RunKind.EASY):
        if _names(description, words.words[kind]):
            return Reading(kind, Source.WORDS, key)
    return Reading(None, None, key)


def day_kind(kinds: Iterable[RunKind]) -> DayKind:
    """The kind of a day holding these events: the most demanding (a rest day if none)."""
    return max((DAY_KIND[kind] for kind in kinds), key=_DEMAND.index, default=DayKind.REST)


def _long_by(run: PlannedRun, usual: Usual, words: RunWords) -> Source | None:
    km, minutes = run.km, run.duration
    if km is not None and (
        km >= words.absolute_km
        or (usual.km is not None and km >= max(words.floor_km, words.ratio * usual.km))
    ):
        return Source.DISTANCE
    if minutes is not None and (
        minutes >= words.absolute_minutes
        or (
            usual.minutes is not None
            and minutes >= max(words.floor_minutes, words.ratio * usual.minutes)
        )
    ):
        return Source.DURATION
    return None


def _names(text: str, phrases: Iterable[str]) -> bool:
    """Whether ``text`` holds one of the phrases as whole words."""
    padded = " " + " ".join(_WORD.findall(text)) + " "
    return any(f" {phrase} " in padded for phrase in phrases)


def _plain(text: str) -> str:
    """Lowercase, without accents ("Côtes" reads "cotes"); "×" reads "x"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("×", " x ").casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def load_run_words(path: Path | None = None) -> RunWords:
    """Load and validate a run-words file (default: the packaged one)."""
    name, document = read_toml(path, "run_words.toml")
    root = Table(document, name)
    long, words = root.table("long"), root.table("words")
    ratio = root.table("long").data.get("ratio")
    if not isinstance(ratio, float | int) or isinstance(ratio, bool) or not 1 <= ratio <= 5:
        raise long.fail("ratio", f"expected a number from 1 to 5, got {ratio!r}")
    by_kind = {
        kind: tuple(
            " ".join(_WORD.findall(_plain(phrase)))
            for language in LANGUAGES
            for phrase in words.table(kind.value).texts(language, 1)
        )
        for kind in RunKind
    }
    return RunWords(
        words=MappingProxyType(by_kind),
        ratio=float(ratio),
        floor_km=long.integer("floor_km", 1, 200),
        floor_minutes=long.integer("floor_minutes", 10, 600),
        absolute_km=long.integer("absolute_km", 1, 300),
        absolute_minutes=long.integer("absolute_minutes", 10, 1000),
    )


@cache
def run_words() -> RunWords:
    """The packaged run words, loaded once per process."""
    return load_run_words()
