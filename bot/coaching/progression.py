"""Progression state: where each exercise chain stands and each exercise's dose step.

Exercises form chains through their progression links (the hamstring ladder H1-H8 is one
chain; ``step_up -> single_leg_squat`` is another; the other foundation exercises stand
alone), keeping only exercises the runner has the kit for, and the Nordics only when the
runner's week has a day that can hold them (P3). Each chain has a *head*: the hardest
variant reached. A runner starts at the furthest variant whose level suits their
experience, never past a heavy (Nordic) or gated (C9) variant: those are earned. A runner
new to strength work starts at the bottom of every chain: H1-H2 and level-1 foundation
work (P7). A regular lifter with weights starts the foundation strength work loaded (P13).

P8 order, for an exercise that passed C4 twice in a row (P10, at most one step in any
seven days): more reps (or seconds, or range for C10) within its range, then, if it is its
chain's head, the next variant (C9: the one-leg slider curl needs level hips), then
external load (only with weights, never for experience ``none``: P7). A session that does
not pass C4, skipped or missed included, starts an exercise's two-for-two count again (P10:
"sessions in a row"). P9 steps every exercise reached back one level and starts every count
again: a chain's head goes back to the previous variant unless it carries load or stands at
P7's bottom of the chain (H2 on the ladder, so P5's two hamstring exercises stay); every
other exercise reached, and a head that stays, takes one load step off, else one dose step
down.

What a runner has reached belongs to them, not to their kit or week: a profile change
(``refit``) keeps every chain's furthest link and every exercise's dose, and only changes
which links today's kit allows. Load added later (new weights) comes through P8, one step
at a time, never all at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.coaching.checkpoint import day_of, iso
from bot.coaching.decisions import Moved
from bot.coaching.library import Exercise, Family, Gate, Library, Tag
from bot.coaching.model import BODYWEIGHT, Prescription
from bot.coaching.profile import Equipment, Experience, Profile
from bot.coaching.rules import RuleSettings


@dataclass(slots=True)
class DoseState:
    """The exercise's dose step, external load step (0 = bodyweight) and P10 record."""

    step: int = 0
    load: int = 0
    passes: int = 0  # sessions in a row that passed C4
    stepped_on: date | None = None  # the session day of its last step up


def _links(library: Library) -> dict[str, tuple[Exercise, ...]]:
    """Every chain of the library, by its root: progression links followed from each root."""
    chains = {}
    for root in library.exercises.values():
        if root.regression is not None or root.family is Family.RECOVERY:
            continue
        links, exercise = [], root
        while True:
            links.append(exercise)
            if exercise.progression is None:
                break
            exercise = library[exercise.progression]
        chains[root.id] = tuple(links)
    return chains


def _usable(links: tuple[Exercise, ...], profile: Profile, nordics: bool) -> tuple[Exercise, ...]:
    """The links the runner has the kit for (and the Nordics only when the week allows them),
    or none when even the first of those is above the runner's level."""
    usable = tuple(
        e for e in links if e.equipment <= profile.equipment and (nordics or not e.heavy)
    )
    return usable if usable and usable[0].level <= profile.experience.level else ()


def _start(chain: tuple[Exercise, ...], experience: Experience) -> int:
    """The furthest variant suiting the experience, stopping before earned ones (P7)."""
    if experience is Experience.NONE:
        return min(1, len(chain) - 1) if chain[0].family is Family.HAMSTRING else 0
    position = 0
    for index, exercise in enumerate(chain):
        if exercise.level > experience.level or exercise.heavy or exercise.gate is not None:
            break
        position = index
    return position


class Progress:
    """The mutable progression state of one runner during one replay.

    What the runner has reached is kept by chain, as the furthest link of the whole chain
    (``reached``), and by exercise (``doses``), whatever kit they have today: a profile
    change (``refit``) only changes which of those links a session may use, so removing
    kit and adding it back, or a new running week, never costs a step.
    """

    def __init__(
        self, library: Library, profile: Profile, settings: RuleSettings, *, nordics: bool
    ) -> None:
        self.library, self.settings = library, settings
        self.links = _links(library)
        self.rank = {e.id: index for links in self.links.values() for index, e in enumerate(links)}
        self.reached: dict[str, int] = {}
        self.doses: dict[str, DoseState] = {}
        self.seen: set[str] = set()
        self.refit(profile, nordics=nordics)
        if self.can_load and profile.experience is Experience.REGULAR:  # P13
            for exercise_id, state in self.doses.items():
                state.load = int(_loadable_foundation(library[exercise_id]))

    def refit(self, profile: Profile, *, nordics: bool) -> None:
        """The chains and exercises ``profile`` allows from now on, keeping every step reached;
        a chain new to the runner starts where their experience suits (P7)."""
        chains = {
            root: usable
            for root, links in self.links.items()
            if (usable := _usable(links, profile, nordics))
        }
        self.chains = chains
        self.chain_of = {e.id: root for root, chain in chains.items() for e in chain}
        self.bottom = {root: _start(chain, Experience.NONE) for root, chain in chains.items()}
        for root, chain in chains.items():  # P7
            self.reached.setdefault(root, self.rank[chain[_start(chain, profile.experience)].id])
        for exercise_id in self.chain_of:
            self.doses.setdefault(exercise_id, DoseState())
        self.can_load = (
            Equipment.WEIGHTS in profile.equipment and profile.experience is not Experience.NONE
        )
        self.hamstring = next(root for root, c in chains.items() if c[0].family is Family.HAMSTRING)

    def snapshot(self) -> dict[str, Any]:
        """The mutable progression state as JSON-able data (for a plan checkpoint)."""
        return {
            "reached": dict(self.reached),
            "doses": {
                exercise_id: [state.step, state.load, state.passes, iso(state.stepped_on)]
                for exercise_id, state in self.doses.items()
            },
            "seen": sorted(self.seen),
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Take back the state ``snapshot`` returned (``refit`` then sets the profile's kit)."""
        self.reached = dict(data["reached"])
        self.doses = {
            exercise_id: DoseState(step, load, passes, day_of(stepped_on))
            for exercise_id, (step, load, passes, stepped_on) in data["doses"].items()
        }
        self.seen = set(data["seen"])

    def position(self, chain_id: str) -> int:
        """Where the chain's head stands among the links the runner can use now."""
        chain, reached = self.chains[chain_id], self.reached[chain_id]
        return max((i for i, e in enumerate(chain) if self.rank[e.id] <= reached), default=0)

    def pool(self, chain_id: str) -> tuple[Exercise, ...]:
        """The chain's variants up to and including its head."""
        return self.chains[chain_id][: self.position(chain_id) + 1]

    def head(self, chain_id: str) -> Exercise:
        """The hardest variant reached on a chain."""
        return self.chains[chain_id][self.position(chain_id)]

    def heads(self, family: Family) -> tuple[Exercise, ...]:
        """The head of every chain of a family, in library order."""
        return tuple(
            self.head(chain_id)
            for chain_id, chain in self.chains.items()
            if chain[0].family is family
        )

    def usable(self, exercise: Exercise) -> bool:
        """Whether the runner has reached (and has the kit for) an exercise."""
        chain_id = self.chain_of.get(exercise.id)
        return chain_id is not None and exercise in self.pool(chain_id)

    def prescribe(
        self, exercise: Exercise, sets: int, *, lighter: bool = False, bodyweight: bool = False
    ) -> Prescription:
        """The exercise at its current dose; ``lighter`` takes one load step off (C2)."""
        state = self.doses.get(exercise.id, DoseState())
        span, amount = exercise.dose.steps[state.step]
        load_step = 0 if bodyweight or not self.can_load else max(0, state.load - lighter)
        return Prescription(
            exercise=exercise,
            sets=max(1, sets),
            reps=amount if exercise.dose.reps else None,
            hold_s=amount if exercise.dose.hold_s else None,
            load=exercise.dose.loads[load_step - 1] if load_step else BODYWEIGHT,
            tempo=exercise.dose.tempo,
            range=span,
        )

    def loaded(self, exercise: Exercise) -> bool:
        """Whether the exercise currently carries external load."""
        state = self.doses.get(exercise.id)
        return self.can_load and state is not None and state.load > 0

    def hold(self, exercise: Exercise) -> None:
        """The exercise's session did not pass C4 (or was not done): its count starts again."""
        state = self.doses.get(exercise.id)
        if state is not None:
            state.passes = 0

    def advance(
        self, exercise: Exercise, hips_level: bool | None, day: date
    ) -> tuple[frozenset[str], Moved | None]:
        """One C4 pass for an exercise (P8, P10, C9, C10): the rules, and what moved."""
        chain_id = self.chain_of.get(exercise.id)
        if chain_id is None:
            return frozenset(), None
        state = self.doses[exercise.id]
        state.passes += 1
        recent = state.stepped_on is not None and (day - state.stepped_on).days < 7
        if state.passes < self.settings.passes_needed or recent:
            return frozenset({"P10"}), None
        rules, moved = self._step(exercise, state, chain_id, hips_level, day)
        if moved is not None:
            state.passes, state.stepped_on = 0, day
        return rules, moved

    def _step(
        self,
        exercise: Exercise,
        state: DoseState,
        chain_id: str,
        hips_level: bool | None,
        day: date,
    ) -> tuple[frozenset[str], Moved | None]:
        """P8's next step: more reps (or range, C10), the next variant (C9), then load."""
        stepped = frozenset({"P8", "P10"})
        steps = exercise.dose.steps
        if state.step + 1 < len(steps):
            state.step += 1
            span, amount = steps[state.step]
            ranged = stepped | ({"C10"} if exercise.dose.ranges else set())
            if span != steps[state.step - 1][0]:
                return ranged, Moved(exercise, "range", span or "")
            return ranged, Moved(exercise, "reps", str(amount))
        chain, position = self.chains[chain_id], self.position(chain_id)
        if chain[position] is not exercise:
            return frozenset(), None  # a lower variant at the top of its range holds
        if position + 1 < len(chain):
            following = chain[position + 1]
            gated = following.gate is Gate.HIPS_LEVEL
            if gated and hips_level is not True:
                return frozenset({"C9"}), None
            self.reached[chain_id] = self.rank[following.id]
            self.doses[following.id].stepped_on = day  # the new variant's week starts too
            notes = {"C9"} if gated else set()
            notes |= {"C10"} if following.dose.ranges else set()
            return stepped | notes, Moved(exercise, "variant", following.name)
        if self.can_load and state.load < len(exercise.dose.loads):
            state.load += 1
            state.step = 0
            return stepped, Moved(exercise, "load", exercise.dose.loads[state.load - 1])
        return frozenset(), None

    def step_back(self) -> None:
        """P9: every exercise reached one level back, every two-for-two count from zero."""
        for chain_id, chain in self.chains.items():
            position = self.position(chain_id)
            if position > self.bottom[chain_id] and not self.loaded(chain[position]):
                self.reached[chain_id] = self.rank[chain[position - 1].id]  # the head goes back
            for exercise in self.pool(chain_id):
                state = self.doses[exercise.id]
                if self.loaded(exercise):
                    state.load -= 1
                else:
                    state.step = max(0, state.step - 1)
        for state in self.doses.values():
            state.passes = 0


def _loadable_foundation(exercise: Exercise) -> bool:
    """Foundation strength work that can carry a load (P13)."""
    return (
        exercise.family is Family.FOUNDATION
        and Tag.STRENGTH in exercise.tags
        and bool(exercise.dose.loads)
    )
