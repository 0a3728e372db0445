"""Producer drum styles as documented parameter sets.

A style conditions the learned drum model (``gmd_style``, ``target_density``, its normal velocity,
the section type) and then shapes its pattern: the time-keeping line (``hat_subdivision``, rolls,
open hats), the kick/snare placement tendencies, ghost notes, velocities, swing and the style's
timing feel.

Placement tendencies are 16-character strings over one 4/4 bar of 16ths, each character the chance
in tenths that the piece plays there ("9" = always: an anchor the pattern keeps). Other meters
borrow them beat by beat (:data:`stori.perform.meters`). ``swing`` is where the off-beat of the
``swing_unit`` pair lands, as a percentage of the pair (50 straight, 66.7 triplet). ``feel_ms``
shifts a piece against the grid (negative = ahead; for the snare, its backbeat strokes, not ghosts);
``density`` bounds hits per 4/4 bar.
GMD facts used (``../shared/data/README.md``): jazz 8th swing ~61%, rock/funk/hip-hop 48-53%;
snares ~9.5 ms ahead on average; ghost snares funk 51%, soul 48%, hip-hop 41%, rock 35%.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from stori.errors import StoriError


@dataclass(frozen=True)
class DrumStyle:
    name: str
    title: str
    about: str
    gmd_style: str  # nearest Groove MIDI Dataset style: conditions the drum model and the groove model
    tempo_range: tuple[int, int]
    default_tempo: int
    swing: float  # % (50 straight)
    swing_unit: int  # 8 or 16: the note value whose pairs swing
    hat_piece: str  # closed_hat | ride
    hat_subdivision: int  # 4, 8 or 16: time-keeping hits per 4/4 bar
    kick: str
    snare: str
    snare_piece: str = "snare"  # snare | clap | side_stick
    hat_accents: str = "9595959595959595"  # loudness of the time-keeping line per 16th (tenths of the accent)
    roll_prob: float = 0.0  # chance per beat of a hat roll (32nds or 16th triplets)
    open_hat_prob: float = 0.05  # chance per off-beat 8th that the hat opens
    open_hat_steps: tuple[int, ...] = ()  # 16ths of a 4/4 bar where the hat is always open
    ghost_rate: float = 0.0  # chance per empty 16th near a backbeat of a ghost snare
    velocity: tuple[int, int, int] = (30, 90, 112)  # ghost, normal, accent
    feel_ms: dict[str, float] = field(default_factory=dict)  # piece -> ms against the grid
    feel_jitter_ms: float = 0.0  # extra unevenness (SD, ms) on top of the groove model
    density: tuple[float, float] = (6.0, 40.0)  # hits per 4/4 bar, min..max
    target_density: float = 16.0  # hits per 4/4 bar asked of the learned model
    pedal_hat_steps: tuple[int, ...] = ()  # 16ths where the hat pedal (foot) plays
    kit: str = "Standard"  # the GS drum kit that plays it (:data:`stori.data.drum_kit.DRUM_KITS`)
    family: str = ""  # GMD style family whose habits (groove toms, phrase turns) it plays; "" = gmd_style's
    folder: str = ""  # a learned style's folder (its generator adapter and groove model); "" for built-in styles

    @property
    def adapter(self) -> str | None:
        """The generator adapter of a learned style (:mod:`stori.model.adapters`), None for a built-in one."""
        return str(Path(self.folder) / "adapter.pt") if self.folder else None

    @property
    def groove(self) -> str | None:
        """The groove model a learned style was fine-tuned into, None for a built-in one (the shipped model)."""
        return str(Path(self.folder) / "groove.pt") if self.folder else None


STYLES: dict[str, DrumStyle] = {s.name: s for s in (
    DrumStyle("dilla", "J Dilla", "Unquantized-feeling MPC swing: loose swung 16ths, a snare that rushes "
              "ahead of the beat, hats dragging late, kicks placed unevenly.",
              "hiphop", (78, 100), 88, 58.0, 16, "closed_hat", 8,
              kick="9003003090200100", snare="0000900000009000", hat_accents="9575957595759575",
              ghost_rate=0.15, velocity=(34, 88, 108),
              feel_ms={"snare": -22.0, "closed_hat": 14.0, "open_hat": 14.0, "kick": 4.0}, feel_jitter_ms=7.0,
              density=(8, 30), target_density=16),
    DrumStyle("trap", "Metro Boomin (trap)", "Half-time trap: one clap on beat 3, a syncopated 808 kick, "
              "straight 16th hats with 32nd and triplet rolls.",
              "hiphop", (120, 170), 140, 50.0, 16, "closed_hat", 16,
              kick="9000000300900300", snare="0000000090000000", snare_piece="clap",
              hat_accents="9686968696869686", roll_prob=0.3, open_hat_prob=0.03,
              velocity=(40, 96, 118), feel_ms={}, density=(10, 60), target_density=24, kit="TR-808"),
    DrumStyle("boom_bap", "boom bap", "Golden-era hip-hop: hard kick and snare on 2 and 4, swung 8th "
              "hats, a snare that sits slightly behind.",
              "hiphop", (84, 100), 92, 56.0, 16, "closed_hat", 8,
              kick="9000003090300000", snare="0000900000009000", hat_accents="9070907090709070",
              ghost_rate=0.08, velocity=(36, 96, 120), feel_ms={"snare": 6.0}, density=(8, 26), target_density=14),
    DrumStyle("lofi", "lo-fi", "Dusty, soft and lazy: quiet velocities, heavily swung 16ths, everything "
              "leaning back behind the beat.",
              "hiphop", (66, 92), 78, 60.0, 16, "closed_hat", 8,
              kick="9000003000900000", snare="0000900000009000", hat_accents="8060806080608060",
              ghost_rate=0.1, velocity=(24, 70, 86),
              feel_ms={"snare": 16.0, "closed_hat": 8.0, "kick": 5.0}, feel_jitter_ms=4.0,
              density=(6, 24), target_density=12, kit="Room"),
    DrumStyle("neosoul", "neo-soul (Questlove)", "Questlove's pocket: a deep, late backbeat, busy ghost "
              "notes between the backbeats (GMD soul: 48% ghosts), lightly swung 16th hats.",
              "soul", (68, 100), 86, 57.0, 16, "closed_hat", 16,
              kick="9000000030900000", snare="0000900000009000", hat_accents="9464946494649464",
              ghost_rate=0.45, velocity=(28, 84, 104),
              feel_ms={"snare": 14.0, "closed_hat": 4.0}, density=(14, 44), target_density=26, kit="Room"),
    DrumStyle("funk", "funk", "Syncopated kicks, a tight backbeat slightly ahead, 16th hats and dense "
              "ghost snares (GMD funk: 51% ghosts).",
              "funk", (88, 124), 104, 54.0, 16, "closed_hat", 16,
              kick="9030003030900300", snare="0000900000009000", hat_accents="9474947494749474",
              ghost_rate=0.5, open_hat_prob=0.08, velocity=(30, 92, 114),
              feel_ms={"snare": -6.0}, density=(16, 48), target_density=28),
    DrumStyle("rock", "rock", "Straight 8ths: kick on 1 and 3, a loud snare on 2 and 4, few ghost notes.",
              "rock", (96, 170), 120, 50.0, 8, "closed_hat", 8,
              kick="9000003090300000", snare="0000900000009000", hat_accents="9070907090709070",
              ghost_rate=0.04, open_hat_prob=0.04, velocity=(34, 98, 120),
              feel_ms={"snare": -4.0}, density=(8, 28), target_density=14),
    DrumStyle("house", "house (four on the floor)", "A kick on every beat, claps on 2 and 4, open hats "
              "on the off-beats and 16th closed hats between.",
              "dance", (115, 132), 124, 52.0, 16, "closed_hat", 16,
              kick="9000900090009000", snare="0000900000009000", snare_piece="clap",
              hat_accents="5070507050705070", open_hat_steps=(2, 6, 10, 14), open_hat_prob=0.0,
              velocity=(40, 100, 118), density=(16, 44), target_density=24, kit="Electronic"),
    DrumStyle("reggaeton", "reggaeton (dembow)", "The dembow: a kick on every beat and snares on the "
              "a of 1 and the and of 2 (3-3-2), straight 8th hats.",
              "reggae", (86, 102), 95, 50.0, 16, "closed_hat", 8,
              kick="9000900090009000", snare="0009009000090090", hat_accents="8060806080608060",
              velocity=(36, 96, 116), density=(12, 32), target_density=18, kit="TR-808"),
    DrumStyle("afrobeat", "afrobeat", "Tony Allen's flow: 16th hats with open accents, a kick spread "
              "across the bar, syncopated snares and ghost notes.",
              "afrobeat", (98, 132), 112, 53.0, 16, "closed_hat", 16,
              kick="9000003000900030", snare="0000900300009030", hat_accents="9575957595759575",
              ghost_rate=0.3, open_hat_prob=0.12, velocity=(32, 90, 110),
              feel_ms={"snare": -5.0}, density=(16, 46), target_density=26),
    DrumStyle("jazz", "jazz", "Swung ride 'spang-a-lang' (GMD jazz: ~61% 8th swing), feathered kick, "
              "hat pedal on 2 and 4, sparse snare comping.",
              "jazz", (60, 240), 140, 64.0, 8, "ride", 8,
              kick="3000000030000000", snare="0000000300000030", hat_accents="9050905090509050",
              ghost_rate=0.35, open_hat_prob=0.0, velocity=(26, 70, 92),
              feel_ms={"ride": -3.0, "snare": 4.0}, pedal_hat_steps=(4, 12),
              density=(6, 30), target_density=14, kit="Jazz"),
)}

_ALIASES = {"jdilla": "dilla", "metroboomin": "trap", "boombap": "boom_bap", "lofihiphop": "lofi",
            "questlove": "neosoul", "fouronthefloor": "house", "dembow": "reggaeton"}


SONG_STYLES = {"pop": "rock", "folk": "rock", "four_on_floor": "house", "ambient": "lofi", "rnb": "neosoul"}
"""The planner's genre drum styles that are not producer styles -> the producer style that plays them."""


def song_style(name: str) -> DrumStyle:
    """The producer style that plays a song planned with drum style (or genre) ``name``; rock when
    nothing matches, as the most common GMD style."""
    try:
        return get_style(SONG_STYLES.get(name, name))
    except StoriError:
        return STYLES["rock"]


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def get_style(name: str) -> DrumStyle:
    """A style by its name, title or an alias ("J Dilla", "lo-fi", "Metro Boomin"), any case/spacing,
    or a style learned with ``python -m stori learn-style`` (:mod:`stori.style_folder`)."""
    from stori import style_folder

    k = _key(str(name))
    for s in STYLES.values():
        if k in (_key(s.name), _key(s.title)):
            return s
    if k in _ALIASES:
        return STYLES[_ALIASES[k]]
    learned = learned_style(str(name))
    if learned is not None:
        return learned
    raise StoriError("style", f"{str(name)[:40]!r} is not a drum style", ", ".join([*STYLES, *style_folder.names()]))


def learned_style(name: str) -> DrumStyle | None:
    """The style learned under ``name`` (:mod:`stori.perform.style_learn`), from its manifest; None when
    there is none."""
    from dataclasses import fields

    from stori import style_folder

    data = style_folder.manifest(name)
    if data is None:
        return None
    known = {f.name for f in fields(DrumStyle)} - {"folder"}
    try:
        kw = {k: tuple(v) if isinstance(v, list) else v for k, v in data["style"].items() if k in known}
        return DrumStyle(**kw, folder=str(style_folder.style_dir() / data["name"]))
    except (TypeError, KeyError, AttributeError):
        raise StoriError("style", f"the manifest of {str(name)[:40]!r} does not describe a style",
                         "learn the style again") from None
