"""Genre templates: form, tempo range, meters, drum style and kit, swing, instrumentation and harmonic habits.

``comping`` is the harmony track's default behaviour and ``bass`` the bass's; the planner lets the
section's emotion override them (a sparse intro, a driving final chorus). ``drum_style`` names the
nearest producer style of :mod:`stori.perform.styles`; ``swing`` (%, 50 straight), when set,
replaces that style's own. ``progression`` is the loop of numerals the genre leans on, written in the
genre's ``mode`` (one per bar; empty, or a song in the other mode: the POP909 chord model chooses);
a prompt's own chords always win. A role missing from
``instruments`` is silent (classical music has no drum kit). ``why`` traces each choice to the genre.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class GenreTemplate:
    name: str
    keywords: tuple[str, ...]
    structure: tuple[tuple[str, int], ...]
    tempo: tuple[int, int]
    meters: tuple[str, ...] = ("4/4",)
    mode: str = "major"
    drum_style: str = "rock"
    drum_kit: str = "Standard"  # the GS drum kit (stori.data.drum_kit.DRUM_KITS)
    comping: str = "block"  # harmony behaviour: block, arpeggiated, sustained, rhythmic
    bass: str = "roots"  # bass behaviour: roots, roots_fifths, walking, sustained, driving
    # role -> (track name, GM program)
    instruments: dict = field(default_factory=dict)
    emotion: dict = field(default_factory=dict)
    swing: float | None = None
    drums: str = ""  # the drums' usual behaviour when the section asks for a steady groove
    progression: tuple[str, ...] = ()
    why: str = ""
    # the style the learned model's pitched parts are asked in where its vocabulary knows it (v2:
    # "artsong" from the Lieder, "standards" from OpenEWLD's lead sheets); "pop" otherwise
    model_style: str = "pop"
    # whether the loudest, most open sections add a string pad (:data:`stori.plan.planner.PAD_FROM`):
    # a guitar band or a string band is the whole band
    pad: bool = True

    @property
    def meter(self) -> str:
        return self.meters[0]


_POP_FORM = (("intro", 4), ("verse", 8), ("pre_chorus", 4), ("chorus", 8), ("verse", 8), ("chorus", 8),
             ("bridge", 8), ("chorus", 8), ("outro", 4))
_SONG_FORM = (("intro", 4), ("verse", 8), ("chorus", 8), ("verse", 8), ("chorus", 8), ("bridge", 8), ("chorus", 8),
              ("outro", 4))
_RAP_FORM = (("intro", 4), ("verse", 16), ("chorus", 8), ("verse", 16), ("chorus", 8), ("outro", 4))
_EDM_FORM = (("intro", 8), ("verse", 8), ("pre_chorus", 8), ("chorus", 8), ("break", 8), ("pre_chorus", 4),
             ("chorus", 8), ("outro", 8))
_JAZZ_FORM = (("intro", 4), ("verse", 8), ("chorus", 8), ("solo", 8), ("chorus", 8), ("outro", 4))
_BLUES_FORM = (("intro", 4), ("verse", 12), ("verse", 12), ("solo", 12), ("verse", 12), ("outro", 4))
_TUNE_FORM = (("intro", 4), ("verse", 8), ("chorus", 8), ("verse", 8), ("chorus", 8), ("outro", 4))
_SCORE_FORM = (("intro", 8), ("verse", 8), ("chorus", 8), ("bridge", 8), ("chorus", 8), ("outro", 8))


def _band(harmony: tuple[str, int], melody: tuple[str, int], bass: tuple[str, int] = ("Electric Bass", 33),
          drums: bool = True) -> dict:
    return {**({"drums": ("Drums", 0)} if drums else {}), "bass": bass, "harmony": harmony, "melody": melody}


def _emo(energy, valence, tension, intimacy, motion) -> dict:
    return {"energy": energy, "valence": valence, "tension": tension, "intimacy": intimacy, "motion": motion}


G = GenreTemplate
GENRES: dict[str, GenreTemplate] = {g.name: g for g in (
    G("pop", ("pop", "radio"), _POP_FORM, (96, 124), drum_style="rock", comping="rhythmic", bass="roots_fifths",
      instruments=_band(("Piano", 0), ("Lead", 80)), emotion=_emo(0.6, 0.4, 0.3, 0.4, 0.6),
      why="verse/pre-chorus/chorus form at a dance-walk tempo; a straight backbeat; piano and a synth lead"),
    G("synthpop", ("synthpop", "synth-pop", "synth pop", "80s pop", "new wave", "synthwave", "retrowave", "electropop"),
      _POP_FORM, (100, 128), drum_style="rock", drum_kit="Electronic", comping="rhythmic", bass="driving",
      instruments=_band(("Polysynth", 90), ("Saw Lead", 81), ("Synth Bass", 38)),
      emotion=_emo(0.7, 0.35, 0.35, 0.3, 0.75), progression=("vi", "IV", "I", "V"),
      why="drum-machine straight 8ths, pulsing 8th-note synth bass, polysynth chords and a saw lead; the vi-IV-I-V "
          "loop of 80s synth-pop"),
    G("indie folk", ("indie folk", "folk", "acoustic", "indie", "singer-songwriter", "americana"), _POP_FORM,
      (84, 108), drum_style="rock", drum_kit="Brush", comping="arpeggiated", bass="roots",
      instruments=_band(("Acoustic Guitar", 25), ("Flute", 73), ("Acoustic Bass", 32)),
      emotion=_emo(0.4, 0.1, 0.3, 0.7, 0.45),
      why="fingerpicked steel-string guitar, upright bass and a light kit at a walking tempo"),
    G("country", ("country", "honky tonk", "honky-tonk", "nashville", "western"), _SONG_FORM, (90, 120),
      drum_style="rock", comping="rhythmic", bass="roots_fifths",
      instruments=_band(("Acoustic Guitar", 25), ("Pedal Steel", 26), ("Electric Bass", 33)),
      emotion=_emo(0.55, 0.45, 0.25, 0.5, 0.6), progression=("I", "IV", "I", "V"),
      why="strummed acoustic guitar, root-fifth 'boom-chick' bass, pedal steel lines (GS Hawaiian guitar sits on "
          "program 26); three-chord I-IV-V harmony"),
    G("bluegrass", ("bluegrass", "hillbilly", "appalachian"), _TUNE_FORM, (110, 160), drum_style="rock",
      comping="rhythmic", bass="roots_fifths",
      instruments=_band(("Banjo", 105), ("Fiddle", 110), ("Acoustic Bass", 32), drums=False),
      emotion=_emo(0.7, 0.6, 0.25, 0.45, 0.85), progression=("I", "I", "IV", "I", "I", "I", "V", "I"),
      pad=False, why="a string band with no drum kit: banjo rolls, fiddle melody, upright bass on roots and "
                     "fifths; fast I-IV-V tunes"),
    G("rock", ("rock", "guitar band", "grunge", "hard rock", "alt rock", "alternative"), _POP_FORM, (110, 150),
      drum_style="rock", drum_kit="Power", comping="rhythmic", bass="driving",
      instruments=_band(("Overdriven Guitar", 29), ("Distortion Guitar", 30), ("Picked Bass", 34)),
      emotion=_emo(0.8, 0.2, 0.5, 0.2, 0.7),
      pad=False, why="straight 8ths with a loud backbeat, overdriven rhythm guitar, picked bass driving 8ths"),
    G("punk", ("punk", "pop punk", "pop-punk", "hardcore"), _SONG_FORM, (160, 200), drum_style="rock", drum_kit="Power",
      comping="rhythmic", bass="driving",
      instruments=_band(("Distortion Guitar", 30), ("Overdriven Guitar", 29), ("Picked Bass", 34)),
      emotion=_emo(0.95, 0.0, 0.6, 0.1, 0.95), progression=("I", "IV", "V", "IV"),
      pad=False, why="fast straight 8ths, distorted power chords, driving picked bass; I-IV-V loops"),
    G("metal", ("metal", "heavy metal", "thrash", "metalcore", "doom"), _SONG_FORM, (100, 180), mode="minor",
      drum_style="rock", drum_kit="Power", comping="rhythmic", bass="driving",
      instruments=_band(("Distortion Guitar", 30), ("Lead Guitar", 30), ("Picked Bass", 34)),
      emotion=_emo(0.9, -0.5, 0.8, 0.1, 0.85), progression=("i", "bVI", "bVII", "i"),
      pad=False, why="minor mode, distorted guitars doubled by the bass, driving kit; the aeolian i-bVI-bVII riff"),
    G("blues", ("blues", "12-bar", "twelve-bar", "delta blues", "chicago blues", "shuffle"), _BLUES_FORM, (70, 110),
      meters=("4/4", "12/8"), drum_style="rock", swing=62.0, comping="rhythmic", bass="walking",
      instruments=_band(("Clean Guitar", 27), ("Harmonica", 22), ("Electric Bass", 33)),
      emotion=_emo(0.5, -0.2, 0.45, 0.55, 0.55),
      progression=("I7", "IV7", "I7", "I7", "IV7", "IV7", "I7", "I7", "V7", "IV7", "I7", "V7"),
      why="the 12-bar blues on dominant sevenths, a shuffle (swung 8ths), walking bass, guitar and harmonica",
      model_style="standards"),
    G("jazz", ("jazz", "swing", "bebop", "big band", "jazz swing", "hard bop"), _JAZZ_FORM, (120, 200),
      drum_style="jazz", drum_kit="Jazz", comping="rhythmic", bass="walking",
      instruments=_band(("Piano", 0), ("Tenor Sax", 66), ("Upright Bass", 32)),
      emotion=_emo(0.55, 0.3, 0.5, 0.55, 0.65), progression=("ii7", "V7", "Imaj7", "vi7"),
      why="swung ride cymbal (GMD jazz ~61-64%), walking upright bass, piano comping, tenor sax; ii-V-I turnarounds",
      model_style="standards"),
    G("jazz ballad", ("jazz ballad", "torch song", "ballad jazz", "late-night jazz", "smoky jazz"), _JAZZ_FORM,
      (56, 80), drum_style="jazz", drum_kit="Brush", comping="sustained", bass="walking",
      instruments=_band(("Piano", 0), ("Tenor Sax", 66), ("Upright Bass", 32)),
      emotion=_emo(0.3, 0.1, 0.4, 0.8, 0.3), progression=("Imaj7", "vi7", "ii7", "V7"),
      why="a slow tempo, brushed-soft swing, piano voicings, breathy tenor sax; I-vi-ii-V changes",
      model_style="standards"),
    G("bossa nova", ("bossa nova", "bossa", "brazilian jazz"), _TUNE_FORM, (120, 140), drum_style="afrobeat",
      drum_kit="Brush", swing=50.0, comping="rhythmic", bass="roots_fifths",
      instruments=_band(("Nylon Guitar", 24), ("Flute", 73), ("Acoustic Bass", 32)),
      emotion=_emo(0.4, 0.35, 0.3, 0.75, 0.55), progression=("Imaj7", "II7", "ii7", "V7"),
      why="straight syncopated 16ths (the nearest producer style is afrobeat's), nylon-string guitar, flute, bass on "
          "roots and fifths; I-II7-ii-V like 'The Girl from Ipanema'",
      model_style="standards"),
    G("samba", ("samba", "batucada", "carnival", "carnaval"), _TUNE_FORM, (90, 110), drum_style="afrobeat",
      swing=50.0, comping="rhythmic", bass="driving",
      instruments=_band(("Nylon Guitar", 24), ("Trumpet", 56), ("Electric Bass", 33)),
      emotion=_emo(0.85, 0.7, 0.3, 0.25, 0.95), progression=("I", "VI7", "ii7", "V7"),
      why="busy straight 16ths with a pulsing bass (surdo), nylon guitar and trumpet; I-VI7-ii-V"),
    G("salsa", ("salsa", "latin", "mambo", "son cubano", "timba"), _TUNE_FORM, (160, 200), mode="minor",
      drum_style="afrobeat", swing=50.0, comping="rhythmic", bass="roots_fifths",
      instruments=_band(("Piano", 0), ("Trumpet", 56), ("Electric Bass", 33)),
      emotion=_emo(0.85, 0.5, 0.4, 0.3, 0.95), progression=("i", "iv", "V7", "i"),
      why="fast, syncopated, piano montuno, trumpet lines, tumbao bass on roots and fifths; i-iv-V minor vamps"),
    G("reggae", ("reggae", "roots reggae", "dub", "ska", "rocksteady", "one drop"), _SONG_FORM, (66, 90),
      drum_style="rock", drums="half_time", comping="rhythmic", bass="roots",
      instruments=_band(("Skank Guitar", 27), ("Organ", 16), ("Electric Bass", 33)),
      emotion=_emo(0.5, 0.45, 0.25, 0.5, 0.6), progression=("I", "IV", "I", "V"),
      why="the one drop (backbeat on 3: half time), off-beat guitar skank and organ, round bass; two-chord vamps"),
    G("reggaeton", ("reggaeton", "reggaetón", "perreo", "latin trap"), _RAP_FORM, (88, 100), mode="minor",
      drum_style="reggaeton", drum_kit="TR-808", comping="sustained", bass="roots",
      instruments=_band(("Warm Pad", 89), ("Saw Lead", 81), ("808 Bass", 38)),
      emotion=_emo(0.75, 0.3, 0.4, 0.35, 0.85), progression=("i", "bVI", "bIII", "bVII"),
      why="the dembow pattern (3-3-2) at ~95 BPM, 808 bass, pads and a synth lead; the i-bVI-bIII-bVII loop"),
    G("dembow", ("dembow", "dominican dembow"), _RAP_FORM, (110, 130), mode="minor", drum_style="reggaeton",
      drum_kit="TR-808", comping="rhythmic", bass="driving",
      instruments=_band(("Synth Stab", 81), ("Square Lead", 80), ("808 Bass", 38)),
      emotion=_emo(0.85, 0.3, 0.45, 0.25, 0.95), progression=("i", "bVII", "bVI", "bVII"),
      why="Dominican dembow: the same 3-3-2 pattern faster (~120 BPM), stabs and 808; short minor loops"),
    G("afrobeat", ("afrobeat", "afro beat", "fela", "afrobeats", "afropop", "amapiano"), _SONG_FORM, (100, 125),
      mode="minor", drum_style="afrobeat", comping="rhythmic", bass="driving",
      instruments=_band(("Clean Guitar", 27), ("Trumpet", 56), ("Electric Bass", 33)),
      emotion=_emo(0.75, 0.4, 0.4, 0.3, 0.9), progression=("i7", "iv7", "i7", "bVII"),
      why="Tony Allen's 16th-note flow, interlocking clean guitar, horn lines, a driving bass; a minor i-iv vamp"),
    G("highlife", ("highlife", "palm wine", "palm-wine"), _SONG_FORM, (110, 135), drum_style="afrobeat",
      comping="arpeggiated", bass="roots_fifths",
      instruments=_band(("Clean Guitar", 27), ("Trumpet", 56), ("Electric Bass", 33)),
      emotion=_emo(0.7, 0.7, 0.25, 0.4, 0.85), progression=("I", "IV", "I", "V"),
      why="Ghanaian highlife: bright picked guitar figures, trumpet, bass on roots and fifths; major I-IV-V"),
    G("hip-hop", ("boom bap", "hip hop", "hip-hop", "hiphop", "rap"), _RAP_FORM, (84, 96), mode="minor",
      drum_style="boom_bap", drum_kit="TR-808", comping="sustained", bass="roots",
      instruments=_band(("Keys", 4), ("Vibraphone", 11), ("Synth Bass", 38)), emotion=_emo(0.6, -0.1, 0.4, 0.4, 0.6),
      why="boom bap: a hard kick and snare on 2 and 4 with swung hats, sampled-sounding keys and vibes"),
    G("trap", ("trap",), _RAP_FORM, (130, 150), mode="minor", drum_style="trap", drum_kit="TR-808", drums="half_time",
      comping="sustained", bass="sustained",
      instruments=_band(("Dark Pad", 89), ("Bell Lead", 14), ("808 Bass", 38)),
      emotion=_emo(0.7, -0.35, 0.55, 0.3, 0.7),
      why="half-time trap: rolling 16th hats, a clap on 3, long 808s, dark pads and bells"),
    G("drill", ("drill", "uk drill", "ny drill"), _RAP_FORM, (138, 146), mode="minor", drum_style="trap",
      drum_kit="TR-808", drums="half_time", comping="sustained", bass="sustained",
      instruments=_band(("Slow Strings", 49), ("Piano", 0), ("808 Bass", 38)),
      emotion=_emo(0.75, -0.55, 0.7, 0.25, 0.7), progression=("i", "bVI", "iv", "V"),
      why="drill: half-time at ~140 BPM (nearest: the trap style), sliding 808s, dark strings and piano; harmonic "
          "minor loops"),
    G("lo-fi", ("lo-fi", "lofi", "lo fi", "study beat", "chillhop"), _TUNE_FORM, (70, 90), drum_style="lofi",
      drum_kit="Room", comping="sustained", bass="roots",
      instruments=_band(("Rhodes", 4), ("Vibraphone", 11), ("Acoustic Bass", 32)),
      emotion=_emo(0.3, 0.15, 0.25, 0.7, 0.4), progression=("ii7", "V7", "Imaj7", "vi7"),
      why="dusty, swung, soft drums, Rhodes seventh chords, a mellow bass; jazzy ii-V-I-vi"),
    G("house", ("house", "edm", "dance", "club", "electronic", "deep house"), _EDM_FORM, (118, 128),
      drum_style="house", drum_kit="Electronic", comping="rhythmic", bass="driving",
      instruments=_band(("Synth Stab", 81), ("Synth Lead", 80), ("Synth Bass", 38)),
      emotion=_emo(0.8, 0.5, 0.35, 0.2, 0.85),
      why="four on the floor at ~124 BPM, off-beat open hats, synth stabs and an off-beat bass"),
    G("disco", ("disco", "boogie", "studio 54"), _SONG_FORM, (110, 126), drum_style="house", comping="rhythmic",
      bass="driving", instruments=_band(("Clean Guitar", 27), ("String Ensemble", 48), ("Electric Bass", 33)),
      emotion=_emo(0.8, 0.7, 0.3, 0.25, 0.9), progression=("ii7", "V7", "Imaj7", "IV"),
      why="four on the floor with open hats, octave bass, funky guitar and sweeping strings"),
    G("disco house", ("disco house", "french house", "nu disco", "nu-disco", "filter house"), _EDM_FORM, (120, 126),
      drum_style="house", drum_kit="Electronic", comping="rhythmic", bass="driving",
      instruments=_band(("Electric Piano", 4), ("Brass Section", 61), ("Synth Bass", 38)),
      emotion=_emo(0.8, 0.65, 0.3, 0.25, 0.9), progression=("ii7", "V7", "Imaj7", "vi7"),
      why="house drums under disco harmony: chopped keys and horns, a bouncing synth bass; seventh-chord loops"),
    G("techno", ("techno", "minimal techno", "industrial techno", "detroit techno", "warehouse"), _EDM_FORM,
      (125, 140), mode="minor", drum_style="house", drum_kit="Electronic", comping="sustained", bass="driving",
      instruments=_band(("Polysynth", 90), ("Saw Lead", 81), ("Acid Bass", 39)),
      emotion=_emo(0.85, -0.2, 0.55, 0.15, 0.9), progression=("i", "i", "bVI", "bVII"),
      why="relentless four on the floor at 125-140 BPM, acid bass, few chords (a minor vamp)"),
    G("drum and bass", ("drum and bass", "drum & bass", "drum n bass", "dnb", "d&b", "jungle", "liquid funk"),
      _EDM_FORM, (165, 178), mode="minor", drum_style="funk", comping="sustained", bass="sustained",
      drum_kit="Electronic", instruments=_band(("Warm Pad", 89), ("Saw Lead", 81), ("Reese Bass", 38)),
      emotion=_emo(0.9, -0.1, 0.55, 0.2, 0.95), progression=("i", "bVI", "bIII", "bVII"),
      why="breakbeats at ~174 BPM (the nearest style is funk's syncopated kick and ghost snares), a long reese "
          "bass, pads; minor loops"),
    G("funk", ("funk", "funky", "groove"), _SONG_FORM, (96, 118), drum_style="funk", comping="rhythmic",
      drum_kit="Room", bass="driving", instruments=_band(("Clean Guitar", 27), ("Brass", 61), ("Slap Bass", 36)),
      emotion=_emo(0.75, 0.55, 0.35, 0.3, 0.9), progression=("I", "IV", "I", "V7"),
      why="syncopated kicks and ghost snares, choppy clean guitar, horn stabs, slap bass on the one; I-IV vamps"),
    G("r&b", ("r&b", "rnb", "rhythm and blues", "soul", "neo soul", "neo-soul", "motown", "slow jam"), _POP_FORM,
      (68, 96), drum_style="neosoul", drum_kit="Room", comping="sustained", bass="roots_fifths",
      instruments=_band(("Electric Piano", 4), ("Voice", 54), ("Electric Bass", 33)),
      emotion=_emo(0.5, 0.35, 0.35, 0.75, 0.55), progression=("Imaj7", "iii7", "vi7", "IV"),
      why="Questlove's late pocket with ghost notes, Rhodes seventh chords, a sung lead"),
    G("gospel", ("gospel", "church", "praise", "worship", "spiritual"), _POP_FORM, (70, 110), drum_style="neosoul",
      drum_kit="Room", swing=58.0, comping="block", bass="roots_fifths",
      instruments=_band(("Organ", 16), ("Choir", 52), ("Electric Bass", 33)),
      emotion=_emo(0.7, 0.65, 0.35, 0.45, 0.6), progression=("I", "IV", "I", "V7"),
      why="Hammond organ chords, choir lead, a lightly swung pocket with ghost notes; plagal I-IV and 'amen' cadences"),
    G("cinematic", ("cinematic", "film", "score", "orchestral", "soundtrack", "epic orchestral", "trailer"),
      _SCORE_FORM, (60, 84), mode="minor", drum_style="lofi", comping="sustained", bass="sustained",
      drum_kit="Orchestra", instruments=_band(("Strings Pad", 49), ("French Horn", 60), ("Contrabass", 43)),
      emotion=_emo(0.3, 0.0, 0.4, 0.55, 0.25),
      why="slow, sustained string pads over contrabass, a horn theme, sparse percussion"),
    G("ambient", ("ambient", "drone", "new age", "soundscape", "atmospheric"), _SCORE_FORM, (60, 80),
      drum_style="lofi", comping="sustained", bass="sustained",
      instruments=_band(("Warm Pad", 89), ("Piano", 0), ("Fretless Bass", 35), drums=False),
      emotion=_emo(0.15, 0.2, 0.2, 0.7, 0.15),
      why="no drums, slow sustained pads, a sparse piano and a held bass"),
    G("classical", ("classical", "baroque", "romantic era", "sonata", "chamber", "string quartet", "symphonic",
                    "symphony", "concerto", "minuet", "nocturne"), _SCORE_FORM, (70, 120), meters=("4/4", "3/4"),
      drum_style="jazz", comping="arpeggiated", bass="roots",
      instruments=_band(("Strings", 48), ("Violin", 40), ("Cello", 42), drums=False),
      emotion=_emo(0.45, 0.3, 0.4, 0.55, 0.5), progression=("I", "IV", "V7", "I"),
      why="no drum kit, strings with violin melody over a cello line; cadential I-IV-V-I",
      model_style="artsong"),
    G("waltz", ("waltz", "valse", "vals", "ländler"), _TUNE_FORM, (84, 150), meters=("3/4",),
      drum_style="rock", drum_kit="Brush", swing=50.0, comping="afterbeats", bass="roots",
      instruments=_band(("Piano", 0), ("Violin", 40), ("Acoustic Bass", 32)),
      emotion=_emo(0.5, 0.5, 0.25, 0.55, 0.55), progression=("I", "I", "V7", "V7", "V7", "V7", "I", "I"),
      why="3/4 with the bass on 1 and chords on 2 and 3 (oom-pah-pah), violin melody, brushes: the kick on 1 and "
          "the snare after it; "
          "tonic-dominant two-bar harmony",
      model_style="artsong"),
    G("march", ("march", "marching band", "military", "sousa", "parade"), _TUNE_FORM, (108, 124),
      meters=("2/4", "6/8", "4/4"), drum_style="rock", drum_kit="Orchestra", comping="block", bass="roots_fifths",
      instruments=_band(("Brass Section", 61), ("Trumpet", 56), ("Tuba", 58)),
      emotion=_emo(0.7, 0.45, 0.4, 0.2, 0.8), progression=("I", "IV", "V7", "I"),
      why="2/4 at ~120 steps a minute, brass band with tuba on roots and fifths, snare-led straight kit; I-IV-V-I"),
)}
DEFAULT_GENRE = "pop"


def named_genre(text: str) -> GenreTemplate | None:
    """The template whose keyword (a whole word or phrase) appears earliest in ``text`` (the longest
    keyword on a tie); None when no genre is named."""
    low = text.lower()
    hits = [(m.start(), -len(k), g.name) for g in GENRES.values() for k in g.keywords
            if (m := re.search(rf"(?<![\w-]){re.escape(k)}(?![\w])", low))]
    return GENRES[min(hits)[2]] if hits else None


def detect_genre(text: str) -> GenreTemplate:
    """The genre ``text`` names (:func:`named_genre`); pop when it names none."""
    return named_genre(text) or GENRES[DEFAULT_GENRE]


GENRE_FAMILY = {"pop": "pop", "indie folk": "pop", "rock": "rock", "hip-hop": "hiphop", "trap": "hiphop",
                "lo-fi": "hiphop", "funk": "funk", "jazz": "jazz", "house": "pop", "cinematic": "other", "r&b": "soul"}
"""Genre -> the GMD style family (:data:`stori.data.gmd.STYLE_FAMILIES`) its drums are compared with
(``python -m stori realness``; "other" for a genre not listed) and whose drummers' habits (toms in
the groove, phrase turns) they take (a genre not listed: its drum style's family)."""
