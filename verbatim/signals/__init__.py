"""Per-segment emotion and effort, per-verbatim intent: French cue lists, no model."""

from verbatim.signals.effort import EFFORT_LEVELS, detect_effort, max_effort
from verbatim.signals.emotion import EMOTIONS, detect_emotion
from verbatim.signals.intent import INTENTS, detect_intents

__all__ = ["EFFORT_LEVELS", "EMOTIONS", "INTENTS", "detect_effort", "detect_emotion", "detect_intents", "max_effort"]
