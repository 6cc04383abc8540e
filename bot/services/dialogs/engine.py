"""Multi-step dialogs kept in the database, so a restart or a second instance continues them.

A dialog is a list of steps. Each step asks one question, answered by a button (or several,
for a multi-choice step) and, where people naturally type, by free text. A button carries a
``DialogAnswer``: the dialog, a per-dialog nonce and the step, so a stale or forged button is
recognised and changes nothing.

A dialog is one message per question: a question answered by its button is asked in place
of the pressed message, with the answers so far (``Message.settled``) above it; one answered
by typing is asked below, and the adapter takes the buttons off the question left behind
(``Part``). A stale or forged press answers with a toast, and the pressed message becomes the
current question.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar, cast

from bot.services.context import Person, ServiceContext
from bot.services.dialogs.buttons import DialogAnswer, DialogName, Pressed, encode, new_nonce
from bot.services.dialogs.choices import Ambiguous, Choice, choose, choose_several, exact
from bot.services.dialogs.free_text import NotUnderstood
from bot.services.presentation.cues import Cue
from bot.services.presentation.replies import (
    Button,
    Message,
    Part,
    Place,
    Reply,
    Typed,
    say,
    toast,
)
from bot.services.presentation.text import Text, as_text, cue, join
from bot.storage.repositories.dialogs import OpenDialog
from bot.storage.unit_of_work import UnitOfWork

Answers = dict[str, Any]
"""The answers so far, as stored with the open dialog; each dialog types its finished ones."""
AnswersT = TypeVar("AnswersT", bound=Mapping[str, Any])
DONE = "="  # the value of a multi-choice step's "Done" button
RESTART = "~"  # the value of the button that starts the open dialog over


ChoicesFor = Callable[[Answers, ServiceContext], Sequence[Choice]]
TextReader = Callable[[str, Answers, ServiceContext], Any]


def _always(_answers: Answers) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Step:
    """One question of a dialog."""

    key: str
    question: Text | str | Callable[[Answers], Text | str]
    choices: Sequence[Choice] | ChoicesFor = ()
    columns: int = 2
    multi: bool = False
    done_label: str = "Done"
    read_text: TextReader | None = None
    accepts_location: bool = False
    when: Callable[[Answers], bool] = _always
    label: str | Callable[[Answers], str] = ""
    """The answer's name in the answers so far ("Monday: Rest"), or what names it for these
    answers; none is shown without one."""
    example: str = ""
    """A typed answer for example, where the step reads typed text ("6:30 or 7pm")."""
    show: Callable[[Any], str] = str
    """How a typed answer (one that is no choice's value) reads in the answers so far."""

    def name(self, answers: Answers) -> str:
        """The answer's name, for these answers so far."""
        return self.label(answers) if callable(self.label) else self.label

    def ask(self, answers: Answers) -> Text:
        """The question, for these answers so far."""
        return as_text(self.question(answers) if callable(self.question) else self.question)

    def options(self, answers: Answers, ctx: ServiceContext) -> Sequence[Choice]:
        """The choices, for these answers so far."""
        return self.choices(answers, ctx) if callable(self.choices) else self.choices

    def answer_label(self, value: Any, answers: Answers, ctx: ServiceContext) -> str:
        """How the answer ``value`` reads: its choice's label, or the typed answer shown."""
        labels = {choice.value: choice.label for choice in self.options(answers, ctx)}
        if self.multi:
            empty = self.done_label if self.done_label != "Done" else "none"
            return ", ".join(labels.get(item, item) for item in value) or empty
        return labels[value] if isinstance(value, str) and value in labels else self.show(value)


@dataclass(frozen=True, slots=True)
class Turn:
    """One person's unit of work: what every use case needs."""

    ctx: ServiceContext
    uow: UnitOfWork
    person: Person


Finish = Callable[[Turn, AnswersT], Awaitable[Reply]]
"""What a dialog does with its finished answers, typed as that dialog's answers."""


@dataclass(frozen=True, slots=True)
class Dialog(Generic[AnswersT]):
    """A named sequence of steps and what to do with the answers."""

    name: DialogName
    steps: tuple[Step, ...]
    finish: Finish[AnswersT]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {step.key: i for i, step in enumerate(self.steps)})

    def step(self, key: str) -> Step | None:
        """The step with this key, if the dialog has it."""
        index = self._index.get(key)
        return None if index is None else self.steps[index]

    def next_step(self, answers: Answers, after: str | None = None) -> Step | None:
        """The first step after ``after`` that applies to these answers."""
        start = 0 if after is None else self._index[after] + 1
        return next((s for s in self.steps[start:] if s.when(answers)), None)

    async def complete(self, turn: Turn, answers: Answers) -> Reply:
        """Finish with ``answers``: every step that applies is answered, so they are typed."""
        return await self.finish(turn, cast(AnswersT, answers))

    def settled(self, answers: Answers, ctx: ServiceContext) -> Text:
        """The answers so far, one "label: answer" each, in the order they were asked (a
        step answered again, such as a race typed once more, shows its latest answer)."""
        shown: dict[str, str] = {}
        for step in self.steps:
            label = step.name(answers) if step.key in answers and step.when(answers) else ""
            if label:
                shown[label] = step.answer_label(answers[step.key], answers, ctx)
        return join(" · ", [f"{label}: {answer}" for label, answer in shown.items()])


class Dialogs:
    """The registry of dialogs, and the engine that runs them for one unit of work."""

    def __init__(self, *dialogs: Dialog[Any]) -> None:
        self._dialogs: dict[str, Dialog[Any]] = {dialog.name: dialog for dialog in dialogs}

    async def begin(
        self,
        turn: Turn,
        name: DialogName,
        answers: Mapping[str, Any] | None = None,
        intro: Text | str = "",
        *,
        pressed: Pressed | None = None,
    ) -> Reply:
        """Open dialog ``name`` (replacing any open one) and ask its first question, after
        ``intro`` (in the same message: it goes once the question is answered in place);
        ``pressed`` is the button that opened it, if one did."""
        dialog = self._dialogs[name]
        answers = dict(answers or {})
        step = dialog.next_step(answers)
        if step is None:
            return await dialog.complete(turn, answers)
        opened_by = encode(pressed) if pressed is not None else ""
        data = {"nonce": new_nonce(), "answers": answers, "opened_by": opened_by}
        await self._save(turn, dialog, step, data)
        prompt = self._prompt(turn.ctx, dialog, step, data)
        return (_noted(intro, prompt) if intro else prompt,)

    async def is_open(self, turn: Turn, name: DialogName | None = None) -> bool:
        """Whether the person is in the middle of a dialog (of that name, if given)."""
        state = await turn.uow.dialogs.get(**self._key(turn.person))
        return state is not None and name in (None, state.dialog)

    async def current(self, turn: Turn, note: Text | str) -> Reply:
        """One message: ``note``, then the open dialog's current question again, below (or
        just the note, when no dialog is open)."""
        where = await self._where(turn)
        if where is None:
            return say(note)
        state, dialog, step = where
        return (_noted(note, self._prompt(turn.ctx, dialog, step, state.data)),)

    async def out_of_date(self, turn: Turn) -> Reply | None:
        """The answer to a press out of date while a dialog is open: a toast, and the pressed
        message becomes the current question; None when no dialog is open."""
        where = await self._where(turn)
        if where is None:
            return None
        state, dialog, step = where
        return (*toast(STALE), self._prompt(turn.ctx, dialog, step, state.data, pressed=True))

    async def offer_restart(self, turn: Turn, note: str) -> Reply:
        """One message: ``note``, then the open dialog's current question with a "Start over"
        button after its choices (so the choices keep their places, and the console its
        letters): the answers so far are kept unless the person chooses to start over."""
        where = await self._where(turn)
        if where is None:
            return say(note)
        state, dialog, step = where
        restart = DialogAnswer(dialog.name, state.data["nonce"], step.key, RESTART)
        prompt = self._prompt(turn.ctx, dialog, step, state.data)
        over = (Button("Start over", encode(restart)),)
        return (_noted(note, replace(prompt, buttons=(*prompt.buttons, over))),)

    async def cancel(self, turn: Turn) -> bool:
        """Close the open dialog; False if there was none."""
        was_open = await self.is_open(turn)
        await turn.uow.dialogs.clear(**self._key(turn.person))
        return was_open

    async def press(self, turn: Turn, pressed: Pressed) -> Reply | None:
        """Handle a pressed button; None if it is no dialog's, or no dialog is open to take it.

        A second press of a button the open dialog has already acted on (the one that opened
        it, or the answer that brought it to this question) is a no-op with a toast.
        """
        where = await self._where(turn)
        if where is not None and encode(pressed) in _handled(where[0]):
            return toast(ALREADY)
        if where is None or not isinstance(pressed, DialogAnswer):
            return None
        state, dialog, step = where
        value = pressed.value
        asked = (dialog.name, state.data.get("nonce"), step.key)
        offered = {choice.value for choice in step.options(state.data["answers"], turn.ctx)}
        if asked != (pressed.dialog, pressed.nonce, pressed.step) or (
            value not in offered and value not in (DONE, RESTART)
        ):
            return await self.out_of_date(turn)
        if value == RESTART:
            first = {k: v for k, v in state.data["answers"].items() if dialog.step(k) is None}
            again = await self.begin(turn, dialog.name, first)
            return (*toast("OK, let's start over."), *_in_place(again))
        if step.multi and value != DONE:
            return await self._toggle(turn, dialog, step, state, value)
        answer = list(state.data["answers"].get(step.key, [])) if step.multi else value
        return await self._advance(turn, dialog, step, state, answer, pressed=encode(pressed))

    async def type(self, turn: Turn, text: str) -> Reply | None:
        """Handle typed text; None if no dialog is open."""
        return await self._read(
            turn, lambda step, answers: typed_answer(step, text, answers, turn.ctx)
        )

    async def locate(self, turn: Turn, timezone: Callable[[], str]) -> Reply | None:
        """Handle a shared location; None if no dialog is open."""

        def read(step: Step, _answers: Answers) -> Any:
            if not step.accepts_location:
                raise NotUnderstood("A location doesn't answer this question.")
            return timezone()

        return await self._read(turn, read)

    async def _read(self, turn: Turn, read: Callable[[Step, Answers], Any]) -> Reply | None:
        where = await self._where(turn)
        if where is None:
            return None
        state, dialog, step = where
        try:
            value = read(step, state.data["answers"])
        except NotUnderstood as problem:
            why = problem.words + (cue(Cue.SHARE_LOCATION) if step.accepts_location else "")
            return (_noted(why, self._prompt(turn.ctx, dialog, step, state.data)),)
        return await self._advance(turn, dialog, step, state, value)

    async def _where(self, turn: Turn) -> tuple[OpenDialog, Dialog[Any], Step] | None:
        """The open dialog's state, the dialog and the step it is on, if one is open."""
        state = await turn.uow.dialogs.get(**self._key(turn.person))
        dialog = self._dialogs.get(state.dialog) if state is not None else None
        step = dialog.step(state.step) if state is not None and dialog is not None else None
        if state is None or dialog is None or step is None:
            return None
        return state, dialog, step

    async def _toggle(
        self,
        turn: Turn,
        dialog: Dialog[Any],
        step: Step,
        state: OpenDialog,
        value: str,
    ) -> Reply:
        chosen = list(state.data["answers"].get(step.key, []))
        chosen = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
        data = {**state.data, "answers": {**state.data["answers"], step.key: chosen}}
        await self._save(turn, dialog, step, data)
        return (self._prompt(turn.ctx, dialog, step, data, pressed=True),)

    async def _advance(
        self,
        turn: Turn,
        dialog: Dialog[Any],
        step: Step,
        state: OpenDialog,
        value: Any,
        *,
        pressed: str = "",
    ) -> Reply:
        answers = {**state.data["answers"], step.key: value}
        following = dialog.next_step(answers, after=step.key)
        if following is None:
            await turn.uow.dialogs.clear(**self._key(turn.person))
            settled = dialog.settled(answers, turn.ctx)
            return _settling(await dialog.complete(turn, answers), settled, pressed=bool(pressed))
        data = {**state.data, "answers": answers, "answered_by": pressed}
        await self._save(turn, dialog, following, data)
        return (self._prompt(turn.ctx, dialog, following, data, pressed=bool(pressed)),)

    async def _save(
        self, turn: Turn, dialog: Dialog[Any], step: Step, data: dict[str, Any]
    ) -> None:
        await turn.uow.dialogs.save(
            **self._key(turn.person), dialog=dialog.name, step=step.key, data=data
        )

    @staticmethod
    def _key(person: Person) -> dict[str, str]:
        return {"platform": person.platform, "user_id": person.dialog_key}

    @staticmethod
    def _prompt(
        ctx: ServiceContext,
        dialog: Dialog[Any],
        step: Step,
        data: dict[str, Any],
        *,
        pressed: bool = False,
    ) -> Message:
        """The step's question, with the answers so far; ``pressed``: in place of the pressed
        message."""
        answers: Answers = data["answers"]

        def answer(value: str) -> str:
            return encode(DialogAnswer(dialog.name, data["nonce"], step.key, value))

        chosen = set(answers.get(step.key, [])) if step.multi else set()
        buttons = [
            Button(f"✓ {c.label}" if c.value in chosen else c.label, answer(c.value))
            for c in step.options(answers, ctx)
        ]
        rows = [tuple(buttons[i : i + step.columns]) for i in range(0, len(buttons), step.columns)]
        if step.multi:
            rows.append((Button(step.done_label if not chosen else "Done", answer(DONE)),))
        return Message(
            step.ask(answers),
            tuple(rows),
            place=Place.PRESSED if pressed else Place.BELOW,
            part=Part.ASKS,
            settled=dialog.settled(answers, ctx),
            typed=_typed_how(step, answers),
        )


def _handled(state: OpenDialog) -> set[str]:
    """The buttons the open dialog has acted on: the one that opened it, and the answer that
    brought it to its question."""
    return {state.data.get("opened_by") or "", state.data.get("answered_by") or ""} - {""}


def typed_answer(step: Step, text: str, answers: Answers, ctx: ServiceContext) -> Any:
    """What typed text answers: the choices it names (see ``choices``), or else what the
    step's reader makes of it; a reader's hint says what works when neither fits."""
    options = step.options(answers, ctx)
    if step.multi:
        return _typed_picks(step, text, answers.get(step.key, []), options)
    named = exact(text, options)
    if named is not None:
        return named.value
    if step.read_text is None:
        return choose(text, options).value
    try:
        return step.read_text(text, answers, ctx)
    except NotUnderstood as problem:
        try:
            return choose(text, options).value
        except Ambiguous:
            raise
        except NotUnderstood:
            raise problem from None


DONE_WORDS = ("done", "finished", "no", "none", "nothing")
"""What a multi-choice step's Done button also answers to."""


def _typed_picks(step: Step, text: str, chosen: list[str], options: Sequence[Choice]) -> list[str]:
    """The picks of a multi-choice step after typed text: the Done button's words keep the
    picks so far; a typed list adds its choices, and answers the question."""
    done = Choice(DONE, step.done_label, DONE_WORDS)
    try:
        if choose(text, [*options, done]) is done:
            return chosen
    except NotUnderstood:
        pass
    return [*chosen, *(c.value for c in choose_several(text, options) if c.value not in chosen)]


def _typed_how(step: Step, answers: Answers) -> Typed | None:
    """How the step takes a typed answer: its question's first sentence, name and example."""
    if step.read_text is None:
        return None
    question, mark, _rest = str(step.ask(answers)).partition("?")
    return Typed(question.strip() + mark, step.name(answers), step.example)


def _noted(note: Text | str, prompt: Message) -> Message:
    """The question with a note before it (an introduction, or why it is asked again)."""
    return replace(prompt, text=join("\n\n", [as_text(note), prompt.text]))


def _in_place(reply: Reply) -> Reply:
    """The reply with its question asked in place of the pressed message."""
    return tuple(replace(m, place=Place.PRESSED) if m.part is Part.ASKS else m for m in reply)


def _settling(reply: Reply, settled: Text, *, pressed: bool) -> Reply:
    """A finished dialog's reply, whose first message settles the question: in place of the
    pressed question (or below a typed answer), the answers above it."""
    place = Place.PRESSED if pressed else Place.BELOW
    first = reply[0] if reply else None
    if first is None or first.toast or first.document is not None or first.image is not None:
        return (Message(Text(), place=place, part=Part.SETTLES, settled=settled), *reply)
    return (replace(first, place=place, part=Part.SETTLES, settled=settled), *reply[1:])


STALE = "That button was out of date, so nothing changed. Here's where we are."
ALREADY = "Already on it: see the latest question."
