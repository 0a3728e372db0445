"""Genre templates: form, tempo range, meter, instrumentation, drum style and kit, and comping pattern.

``comping`` is the harmony track's default behaviour and ``bass`` the bass's; the planner lets the
section's emotion override them (a sparse intro, a driving final chorus).
"""
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
    comping: str = "block"  # harmony behaviour: block, arpeggiated, sustained, rhythmic
    bass: str = "roots"  # bass behaviour: roots, roots_fifths, walking, sustained, driving
    drum_kit: str = "Standard"  # the GS drum kit (stori.data.drum_kit.DRUM_KITS)
    # role -> (track name, GM program)
    instruments: dict = field(default_factory=dict)
    emotion: dict = field(default_factory=dict)


_POP_FORM = (("intro", 4), ("verse", 8), ("pre_chorus", 4), ("chorus", 8), ("verse", 8), ("chorus", 8),
             ("bridge", 8), ("chorus", 8), ("outro", 4))
_RAP_FORM = (("intro", 4), ("verse", 16), ("chorus", 8), ("verse", 16), ("chorus", 8), ("outro", 4))
_EDM_FORM = (("intro", 8), ("verse", 8), ("pre_chorus", 8), ("chorus", 8), ("break", 8), ("pre_chorus", 4),
             ("chorus", 8), ("outro", 8))


def _band(harmony: tuple[str, int], melody: tuple[str, int], bass: tuple[str, int] = ("Bass", 33)) -> dict:
    return {"drums": ("Drums", 0), "bass": bass, "harmony": harmony, "melody": melody}


def _emo(energy, valence, tension, intimacy, motion) -> dict:
    return {"energy": energy, "valence": valence, "tension": tension, "intimacy": intimacy, "motion": motion}


GENRES: dict[str, GenreTemplate] = {g.name: g for g in (
    GenreTemplate("pop", ("pop",), _POP_FORM, (96, 124), drum_style="pop", comping="rhythmic", bass="roots_fifths",
                  instruments=_band(("Piano", 0), ("Lead", 80)), emotion=_emo(0.6, 0.4, 0.3, 0.4, 0.6)),
    GenreTemplate("indie folk", ("indie folk", "folk", "acoustic", "indie", "singer-songwriter"), _POP_FORM, (84, 108),
                  drum_style="folk", comping="arpeggiated", bass="roots", drum_kit="Brush",
                  instruments=_band(("Acoustic Guitar", 25), ("Melody", 73), ("Bass", 32)),
                  emotion=_emo(0.4, 0.1, 0.3, 0.7, 0.45)),
    GenreTemplate("rock", ("rock", "guitar band", "punk", "grunge"), _POP_FORM, (110, 150), drum_style="rock",
                  comping="rhythmic", bass="driving", drum_kit="Power",
                  instruments=_band(("Guitars", 29), ("Lead", 30), ("Bass", 34)),
                  emotion=_emo(0.8, 0.2, 0.5, 0.2, 0.7)),
    GenreTemplate("hip-hop", ("boom bap", "hip hop", "hip-hop", "hiphop", "rap"), _RAP_FORM, (84, 96), mode="minor",
                  drum_style="boom_bap", comping="sustained", bass="roots",
                  instruments=_band(("Keys", 4), ("Lead", 11), ("Bass", 38)), emotion=_emo(0.6, -0.1, 0.4, 0.4, 0.6)),
    GenreTemplate("trap", ("trap", "drill"), _RAP_FORM, (130, 150), mode="minor", drum_style="trap", drum_kit="TR-808",
                  comping="sustained", bass="sustained",
                  instruments=_band(("Dark Pad", 89), ("Bell Lead", 14), ("808 Bass", 38)),
                  emotion=_emo(0.7, -0.35, 0.55, 0.3, 0.7)),
    GenreTemplate("lo-fi", ("lo-fi", "lofi", "lo fi", "study beat", "chillhop"),
                  (("intro", 4), ("verse", 8), ("chorus", 8),
                  ("verse", 8), ("chorus", 8), ("outro", 4)), (70, 90), drum_style="lofi", drum_kit="Room",
                  comping="sustained",
                  bass="roots",
                  instruments=_band(("Rhodes", 4), ("Lead", 11), ("Bass", 32)),
                  emotion=_emo(0.3, 0.15, 0.25, 0.7, 0.4)),
    GenreTemplate("funk", ("funk", "disco", "groove"),
                  (("intro", 4), ("verse", 8), ("chorus", 8), ("verse", 8), ("chorus", 8),
                  ("bridge", 8), ("chorus", 8), ("outro", 4)), (96, 118), drum_style="funk", comping="rhythmic",
                  bass="driving",
                  instruments=_band(("Clean Guitar", 27), ("Brass", 61), ("Slap Bass", 36)),
                  emotion=_emo(0.75, 0.55, 0.35, 0.3, 0.9)),
    GenreTemplate("jazz", ("jazz", "swing", "bebop", "bossa"), (("intro", 4), ("verse", 8), ("chorus", 8), ("solo", 8),
                  ("chorus", 8), ("outro", 4)), (100, 160), drum_style="jazz", drum_kit="Jazz",
                  comping="rhythmic", bass="walking",
                  instruments=_band(("Piano", 0), ("Sax", 65), ("Upright Bass", 32)),
                  emotion=_emo(0.5, 0.3, 0.5, 0.6, 0.6)),
    GenreTemplate("house", ("house", "edm", "techno", "dance", "club", "electronic"), _EDM_FORM, (118, 128),
                  drum_style="four_on_floor", drum_kit="Electronic", comping="rhythmic", bass="driving",
                  instruments=_band(("Synth Stab", 81), ("Synth Lead", 80), ("Synth Bass", 38)),
                  emotion=_emo(0.8, 0.5, 0.35, 0.2, 0.85)),
    GenreTemplate("cinematic", ("cinematic", "ambient", "film", "score", "orchestral", "soundtrack"),
                  (("intro", 8), ("verse", 8), ("chorus", 8), ("bridge", 8), ("chorus", 8), ("outro", 8)), (60, 84),
                  mode="minor",
                  drum_style="ambient", comping="sustained", bass="sustained", drum_kit="Orchestra",
                  instruments=_band(("Strings Pad", 49), ("Lead", 75), ("Contrabass", 43)),
                  emotion=_emo(0.3, 0.0, 0.4, 0.55, 0.25)),
    GenreTemplate("r&b", ("r&b", "rnb", "soul", "neo soul", "neo-soul", "motown"), _POP_FORM, (68, 96),
                  drum_style="rnb", drum_kit="Room",
                  comping="sustained", bass="roots_fifths",
                  instruments=_band(("Electric Piano", 4), ("Lead", 54), ("Bass", 33)),
                  emotion=_emo(0.5, 0.35, 0.35, 0.75, 0.55)),
)}
DEFAULT_GENRE = "pop"


def detect_genre(text: str) -> GenreTemplate:
    """The template whose keywords appear earliest in ``text`` (longest keyword on a tie); pop when none do."""
    low = text.lower()
    hits = [(low.find(k), -len(k), g.name) for g in GENRES.values() for k in g.keywords if k in low]
    return GENRES[min(hits)[2]] if hits else GENRES[DEFAULT_GENRE]
