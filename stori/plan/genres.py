"""Genre templates: form, tempo, meter, instrumentation and the drum style a genre implies."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class GenreTemplate:
    name: str
    keywords: tuple[str, ...]
    structure: tuple[tuple[str, int], ...]
    tempo: tuple[int, int]
    meter: str = "4/4"
    mode: str = "major"
    drum_style: str = "pop"
    # role -> (track name, GM program)
    instruments: dict = field(default_factory=dict)
    emotion: dict = field(default_factory=dict)


_POP_FORM = (("intro", 4), ("verse", 8), ("pre_chorus", 4), ("chorus", 8), ("verse", 8), ("chorus", 8),
             ("bridge", 8), ("chorus", 8), ("outro", 4))

GENRES: dict[str, GenreTemplate] = {g.name: g for g in (
    GenreTemplate("pop", ("pop",), _POP_FORM, (96, 124), drum_style="pop",
                  instruments={"drums": ("Drums", 0), "bass": ("Bass", 33), "harmony": ("Piano", 0), "melody": ("Lead", 80)},
                  emotion={"energy": 0.6, "valence": 0.4, "tension": 0.3, "intimacy": 0.4, "motion": 0.6}),
    GenreTemplate("indie folk", ("folk", "acoustic", "indie"), _POP_FORM, (84, 108), drum_style="folk",
                  instruments={"drums": ("Drums", 0), "bass": ("Bass", 32), "harmony": ("Acoustic Guitar", 25), "melody": ("Melody", 73)},
                  emotion={"energy": 0.4, "valence": 0.1, "tension": 0.3, "intimacy": 0.7, "motion": 0.45}),
    GenreTemplate("rock", ("rock", "guitar band"), _POP_FORM, (110, 150), drum_style="rock",
                  instruments={"drums": ("Drums", 0), "bass": ("Bass", 34), "harmony": ("Guitars", 29), "melody": ("Lead", 30)},
                  emotion={"energy": 0.8, "valence": 0.2, "tension": 0.5, "intimacy": 0.2, "motion": 0.7}),
    GenreTemplate("hip-hop", ("hip hop", "hip-hop", "boom bap", "rap"), (("intro", 4), ("verse", 8), ("chorus", 8), ("verse", 8), ("chorus", 8), ("outro", 4)),
                  (84, 96), mode="minor", drum_style="boom_bap",
                  instruments={"drums": ("Drums", 0), "bass": ("Bass", 38), "harmony": ("Keys", 4), "melody": ("Lead", 11)},
                  emotion={"energy": 0.6, "valence": -0.1, "tension": 0.4, "intimacy": 0.4, "motion": 0.6}),
    GenreTemplate("jazz", ("jazz", "swing"), (("intro", 4), ("verse", 8), ("chorus", 8), ("solo", 8), ("chorus", 8), ("outro", 4)),
                  (100, 160), drum_style="jazz",
                  instruments={"drums": ("Drums", 0), "bass": ("Upright Bass", 32), "harmony": ("Piano", 0), "melody": ("Sax", 65)},
                  emotion={"energy": 0.5, "valence": 0.3, "tension": 0.5, "intimacy": 0.6, "motion": 0.6}),
    GenreTemplate("ambient", ("ambient", "cinematic", "film"), (("intro", 8), ("verse", 8), ("chorus", 8), ("bridge", 8), ("outro", 8)),
                  (60, 84), mode="minor", drum_style="ambient",
                  instruments={"drums": ("Percussion", 0), "bass": ("Bass", 39), "harmony": ("Strings Pad", 49), "melody": ("Lead", 75)},
                  emotion={"energy": 0.25, "valence": 0.0, "tension": 0.35, "intimacy": 0.6, "motion": 0.25}),
)}
DEFAULT_GENRE = "pop"


def detect_genre(text: str) -> GenreTemplate:
    """The template whose keywords appear earliest in ``text``; pop when none do."""
    low = text.lower()
    hits = [(low.find(k), -len(k), g) for g in GENRES.values() for k in g.keywords if k in low]
    return min(hits, key=lambda h: (h[0], h[1]))[2] if hits else GENRES[DEFAULT_GENRE]
