"""FineTuneConfig: the knobs of a face fine-tune, with the defaults DESIGN.md measured."""

from __future__ import annotations

from dataclasses import dataclass

from attendance_app.training.inception_tail import TRAINABLE_CHOICES
from attendance_app.training.sface_tail import SFACE_DEFAULT_TRAINABLE, SFACE_TRAINABLE_CHOICES


@dataclass(frozen=True)
class FineTuneConfig:
    """Adam `learning_rate`, triplet `margin` (Euclidean on unit vectors), batches of
    `people_per_batch` x `samples_per_person`, at most `epochs`; early stopping after `patience`
    epochs without a better validation loss on `val_fraction` of the people (by person; off when
    fewer than `min_val_people` would be held out). `trainable_blocks` name InceptionResnetV1
    children (see TRAINABLE_CHOICES) or SFace blocks (SFACE_TRAINABLE_CHOICES; `for_architecture`
    gives each network's defaults); everything before the first of them is the frozen trunk,
    run once per cached view. `jitter_copies` extra views per image (random crop of 90-100% of
    the side, brightness +-10%, contrast +-10%, each with its flip) are cached besides the image
    and its flip: each costs one trunk pass per image up front, none per step."""

    epochs: int = 5
    learning_rate: float = 1e-4
    margin: float = 0.2
    people_per_batch: int = 8
    samples_per_person: int = 4
    trainable_blocks: tuple[str, ...] = ("repeat_3", "block8", "last_linear", "last_bn")
    val_fraction: float = 0.2
    min_val_people: int = 3
    patience: int = 2
    jitter_copies: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        blocks = self.trainable_blocks
        if not blocks or not (set(blocks) <= set(TRAINABLE_CHOICES)
                              or set(blocks) <= set(SFACE_TRAINABLE_CHOICES)):
            raise ValueError(f"trainable_blocks must all be among {TRAINABLE_CHOICES} (FaceNet) "
                             f"or all among {SFACE_TRAINABLE_CHOICES} (SFace), got "
                             f"{list(blocks) or 'none'}")
        if self.epochs < 1 or self.learning_rate <= 0 or self.margin <= 0 or self.jitter_copies < 0:
            raise ValueError("epochs >= 1, learning_rate > 0, margin > 0, jitter_copies >= 0 required")


def trainable_choices(architecture: str) -> tuple[str, ...]:
    """The blocks a fine-tune of `architecture` ('facenet' or 'sface') may train."""
    return SFACE_TRAINABLE_CHOICES if architecture == "sface" else TRAINABLE_CHOICES


def for_architecture(architecture: str, **knobs: object) -> FineTuneConfig:
    """A FineTuneConfig with `architecture`'s default trainable blocks (unless given)."""
    if knobs.get("trainable_blocks") is None:
        knobs["trainable_blocks"] = (SFACE_DEFAULT_TRAINABLE if architecture == "sface"
                                     else FineTuneConfig.trainable_blocks)
    return FineTuneConfig(**knobs)  # type: ignore[arg-type]
