"""``python -m stori realness``: does generated music have what real music has? (issue 10)

Songs are generated over a fixed list of prompts and slider settings (:func:`song_requests`: eight
genres, energy and valence varied, 4/4, seed = ``seed + k``), planned, composed and performed as the
studio does. For each role their facts (:mod:`stori.data.part_facts`) stand beside the real
ones (:mod:`stori.evaluate.real_parts`): drums beside GMD test beats of the same style families
(the mean, over our songs, of the family mean of each song's genre), pitched roles beside POP909's
test songs. A fact passes when it is within 25% of the real value (restrikes: when there are none).
A classifier two-sample test per role (:mod:`stori.evaluate.two_sample`) gives the balanced
accuracy of telling our 2-bar windows from real ones (drums: GMD test beats of our songs' style
families), beside the real-vs-real floor.
``--drums-tab`` also measures the Drums tab (``make_drums`` over its styles, 8 and 16 bars).

``--meters`` and ``--styles`` (issue 13) measure groups of a few songs each (:data:`GROUP_SONGS`,
seed = ``seed + k``) beside held-out real pieces of the same kind (:func:`compare_group`):

- per meter, every meter the engines play besides 4/4 (:data:`OTHER_METERS`), songs from
  :data:`METER_PROMPTS` (all three pitched styles) in that meter, beside the test-split stretches of
  OpenScore Lieder and OpenEWLD in that meter (:func:`stori.evaluate.real_parts.score_pieces`); a
  meter without any is reported ours only, marked :data:`NO_REFERENCE`;
- per pitched style, 4/4 songs from :data:`STYLE_PROMPTS` beside the 4/4 test stretches of the
  style's set (artsong: Lieder, standards: OpenEWLD); pop is the 4/4 section above (POP909).

The songs of a group are taken as written (before the performer), as the scores they stand beside
are. The facts are the pitched ones per role (melody, bass, harmony) and the share of bars whose beat 1
is heard low; the classifier compares the 2-bar windows of each role without velocities (a score's
are its dynamics marks) where the real side has :data:`MIN_REAL_PIECES` pieces, beside two floors:
halves of the test pieces, and the test pieces against the validation split's. The learned engine
*beats the baseline* in a group when its facts are closer to the real ones in most rows and its
classifier accuracy is lower for most roles (:func:`verdict`). Where the test split holds fewer
than :data:`MIN_REAL_PIECES` pieces of a kind (12/8: 2), the facts are judged against the test and
validation pieces together (both held out of training): two pieces are no reference, their facts
differ from the validation split's more than either engine's do.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from stori.data.gmd import FAMILY_OF, STYLE_FAMILIES
from stori.data.part_facts import downbeat_share, drum_facts, mean_facts, parts_facts, pitched_facts, song_parts
from stori.data.scores import SETS
from stori.evaluate.real_parts import RealPiece, load_real, reference_facts, score_pieces
from stori.evaluate.two_sample import Windows, balanced_accuracy, halves, two_sample_test, windows_of
from stori.perform.drum_patterns import METERS
from stori.plan.genres import GENRE_FAMILY
from stori.spec.song import PITCHED_ROLES
from stori.spec.song_spec import parse_time_signature

PROMPTS = ("a driving rock song", "an upbeat pop song", "a funk groove", "a hip hop beat with a melody",
           "an indie folk song", "a jazz tune", "a soul song", "a slow piano ballad")
ENERGIES = (0.3, 0.5, 0.7, 0.9)
VALENCES = (-0.4, 0.2, 0.6)
FLAGSHIP = ("bittersweet indie folk song about leaving home", 1)
TOLERANCE = 0.25
CHECKED = {"drums": ("backbeat", "toms", "bar_repeats"), "pitched": ("repeats_2bar", "median_beats")}
SHOWN = {"drums": ("backbeat", "toms", "bar_repeats", "fills_phrase_end", "fills_elsewhere"),
         "pitched": ("repeats_2bar", "bar_repeats", "median_beats")}
TAB_BARS = (8, 16)
GROUP_SONGS = 8
"""Songs per engine in each meter and style group: with 4, a verdict turned on gaps of 0.01 in
one fact (3/4: learned closer in 3 of 7 with 4 songs, 6 of 7 with 8)."""
OTHER_METERS = tuple(m for m in METERS if m != "4/4")
METER_PROMPTS = ("a slow piano ballad", "a classical piece", "a jazz tune", "an indie folk song", "a romantic nocturne",
                 "a jazz ballad")
"""Prompts of the per-meter songs: pop, art song and standards (``model_style`` of their genres) in turn."""
STYLE_PROMPTS = {
    "artsong": ("a classical piece", "a romantic nocturne", "a string quartet", "a gentle sonata", "a chamber piece",
                "a symphonic theme"),
    "standards": ("a jazz tune", "a jazz ballad", "a bossa nova", "a torch song", "a slow blues", "a bebop tune"),
}
"""Prompts whose genre asks the learned model for each pitched style besides pop."""
STYLE_SET = {style: name for name, style in SETS.items()}
SET_NAMES = {"lieder": "OpenScore Lieder", "openewld": "OpenEWLD"}
GROUP_ROLES = ("melody", "bass", "harmony")
GROUP_FACTS = {**dict.fromkeys(GROUP_ROLES, CHECKED["pitched"]), "song": ("downbeat_share",)}
"""Role -> the facts a group compares ("song": beat 1 heard low, over all parts)."""
MIN_REAL_PIECES = 10
NO_REFERENCE = "no real reference"


@dataclass(frozen=True)
class Request:
    prompt: str
    energy: float
    valence: float
    seed: int
    time_signature: str = "4/4"


def song_requests(n: int, seed: int = 0, prompts: tuple[str, ...] = PROMPTS,
                  time_signature: str = "4/4") -> list[Request]:
    """Song ``k``: prompt ``k`` (cycling), energy and valence cycling at other rates, seed ``seed + k``."""
    return [Request(prompts[k % len(prompts)], ENERGIES[(k + k // len(prompts)) % len(ENERGIES)],
                    VALENCES[k % len(VALENCES)], seed + k, time_signature) for k in range(n)]


def generate_songs(engine: str, requests: list[Request], perform: bool = True) -> list:
    """Plan, compose and perform each request in its meter (the studio's path; ``perform=False``
    stops at the written song)."""
    from stori.pipeline import generate

    return [generate(r.prompt, emotion={"energy": r.energy, "valence": r.valence}, time_signature=r.time_signature,
                     engine=engine, seed=r.seed, trace=False, perform=perform) for r in requests]


def family(song) -> str:
    return GENRE_FAMILY.get(song.spec.genre if song.spec else "", "other")


def within(ours: float, real: float) -> bool | None:
    """Within :data:`TOLERANCE` of the real value (None when either is undefined)."""
    if any(isinstance(x, float) and math.isnan(x) for x in (ours, real)):
        return None
    return abs(ours - real) <= TOLERANCE * abs(real)


def _gmd_for(families: list[str], ref: dict, split: str = "gmd") -> dict[str, float]:
    """The GMD facts matching a list of families: the mean of each family's mean (all beats where a
    family has none in the split: ``gmd`` test, ``gmd_valid`` validation)."""
    if not ref.get(split):
        return {}
    rows = [ref[split].get(f, ref[split]["all"]) for f in families]
    return {k: v for k, v in mean_facts(rows).items() if k != "pieces"}


def same_families(beats: list, songs: list) -> list:
    """The GMD beats of the style families ``songs`` were made in (all beats when none match): a
    classifier must tell played from generated, not latin from rock."""
    fams = {family(s) for s in songs}
    return [b for b in beats if b.family in fams] or list(beats)


def compare(songs: list, real: dict, ref: dict, seed: int = 0) -> dict:
    """Facts, checks and two-sample tests of one engine's songs against the real references."""
    parts = [song_parts(s) for s in songs]
    facts = [parts_facts(p) for p in parts]
    out: dict = {"facts": {}, "checks": [], "classifier": {}}
    drums = [f["drums"] for f in facts if "drums" in f]
    if drums and ref["gmd"]:
        fams = [family(s) for s, f in zip(songs, facts) if "drums" in f]
        real_drums = _gmd_for(fams, ref)
        out["facts"]["drums"] = {"ours": mean_facts(drums), "real": real_drums,
                                 "real_valid": _gmd_for(fams, ref, "gmd_valid"),
                                 "real_set": _gmd_for(fams, ref, "gmd_set"),
                                 "real_free": _gmd_for(fams, ref, "gmd_free"),
                                 "reference": "GMD test beats, same families"}
        out["checks"] += [{"role": "drums", "fact": k, "ours": out["facts"]["drums"]["ours"][k], "real": real_drums[k],
                           "pass": within(out["facts"]["drums"]["ours"][k], real_drums[k])} for k in CHECKED["drums"]]
        out["classifier"]["drums"] = two_sample_test(
            windows_of([(p.id, p.parts["drums"]) for p in same_families(real["gmd"], songs)], drums=True),
            windows_of([(f"song{k}", p["drums"]) for k, p in enumerate(parts) if "drums" in p], drums=True), seed)
    restrikes = 0
    for role in PITCHED_ROLES:
        rows = [f[role] for f in facts if role in f]
        if not rows:
            continue
        ours = mean_facts(rows)
        restrikes += sum(r["restrikes"] for r in rows)
        real_role = ref["pop909"].get(role)
        out["facts"][role] = {"ours": ours, "real": real_role, "reference": "POP909 test songs"}
        if real_role:
            out["checks"] += [{"role": role, "fact": k, "ours": ours[k], "real": real_role[k],
                               "pass": within(ours[k], real_role[k])}
                              for k in CHECKED["pitched"]]
            out["classifier"][role] = two_sample_test(
                windows_of([(p.id, p.parts[role]) for p in real["pop909"] if role in p.parts], drums=False),
                windows_of([(f"song{k}", p[role]) for k, p in enumerate(parts) if role in p], drums=False), seed)
    out["restrikes"] = restrikes
    out["checks"].append({"role": "all pitched", "fact": "restrikes (total)", "ours": restrikes, "real": 0,
                          "pass": restrikes == 0})
    return out


def drums_tab(ref: dict, seed: int = 0) -> dict:
    """The Drums tab's styles at 8 and 16 bars, default tempo, humanized: facts per style beside its
    GMD family, and the tom share over all of them beside the families' mean."""
    from stori.perform.drums import make_drums
    from stori.perform.styles import STYLES

    rows, fams = {}, []
    for name, st in STYLES.items():
        fam = FAMILY_OF.get(st.gmd_style, "other")
        parts = [song_parts(make_drums(name, bars, st.default_tempo, seed=seed))["drums"] for bars in TAB_BARS]
        rows[name] = {"family": fam, "ours": mean_facts(drum_facts(p) for p in parts), "real": _gmd_for([fam], ref)}
        fams.append(fam)
    ours = mean_facts(r["ours"] for r in rows.values())
    real = _gmd_for(fams, ref)
    return {"styles": rows, "ours": ours, "real": real, "toms_pass": within(ours["toms"], real["toms"])}


# --- per meter and per style (issue 13) --------------------------------------------------------
def group_facts(played: list[dict], heard: list[dict]) -> dict[str, dict]:
    """Role -> mean pitched facts over pieces (their ``played`` parts), and ``"song"`` -> the mean
    share of bars whose beat 1 is heard low (all their ``heard`` parts)."""
    out = {}
    for role in GROUP_ROLES:
        rows = [pitched_facts(p[role]) for p in played if role in p]
        if rows:
            out[role] = mean_facts(rows)
    if heard:
        out["song"] = mean_facts({"downbeat_share": downbeat_share(p)} for p in heard)
    return out


def _score_windows(pieces: list[RealPiece], role: str) -> Windows:
    return windows_of([(p.id, p.played()[role]) for p in pieces if role in p.played()], drums=False, velocity=False)


def group_reference(test: list[RealPiece], valid: list[RealPiece], role: str, seed: int) -> dict:
    """The real side of one role's two-sample test, the same for every engine: the test pieces'
    windows and the floors (two halves of them; them against ``valid`` where it has enough pieces),
    or why there is no test (``too_few``)."""
    real = _score_windows(test, role)
    n = len(set(real.groups))
    if not n:
        return {"too_few": "no real piece has it played"}
    if n < MIN_REAL_PIECES:
        return {"too_few": f"{n} real pieces ({MIN_REAL_PIECES} needed)"}
    other = _score_windows(valid, role)
    floors = {"floor": balanced_accuracy(*halves(real, seed), seed)}
    if len(set(other.groups)) >= MIN_REAL_PIECES:
        floors["floor_valid"] = balanced_accuracy(real, other, seed)
    return {"windows": real, "floors": floors}


def group_classifier(ref: dict, parts: list[dict], role: str, seed: int) -> dict:
    """Balanced accuracy of telling one engine's windows of ``role`` from the real ones of
    :func:`group_reference`, beside its floors."""
    if "too_few" in ref:
        return {"too_few": ref["too_few"]}
    ours = windows_of([(f"song{k}", p[role]) for k, p in enumerate(parts) if role in p], drums=False, velocity=False)
    if not ours.groups:
        return {"too_few": "no generated windows"}
    real = ref["windows"]
    return {"balanced_accuracy": balanced_accuracy(real, ours, seed), **ref["floors"],
            "windows": {"real": len(real.groups), "generated": len(ours.groups)},
            "pieces": {"real": len(set(real.groups)), "generated": len(set(ours.groups))}}


def compare_group(engines: list[str], requests: list[Request], test: list[RealPiece], valid: list[RealPiece],
                  reference: str, seed: int = 0, absent: str = NO_REFERENCE) -> dict:
    """One group's songs per engine beside its real pieces (``absent`` says why there are none):
    facts, classifier per role, timing. The real pieces are scores, so the songs are taken as
    written, before the performer: a score's lengths and onsets are written ones, and a played
    8th (a driving section's detached 80%, a humanized onset) is no more a written 8th than a
    velocity is a dynamics mark."""
    out = {"reference": reference if test else absent, "requests": [r.__dict__ for r in requests],
           "real_pieces": {"test": len(test), "valid": len(valid)},
           "real": group_facts([p.played() for p in test], [p.parts for p in test]),
           "real_valid": group_facts([p.played() for p in valid], [p.parts for p in valid]), "engines": {}}
    if 0 < len(test) < MIN_REAL_PIECES:
        out["real_pooled"] = group_facts([p.played() for p in test + valid], [p.parts for p in test + valid])
    refs = {role: group_reference(test, valid, role, seed) for role in GROUP_ROLES} if test else {}
    for engine in engines:
        t0 = time.perf_counter()
        parts = [song_parts(s) for s in generate_songs(engine, requests, perform=False)]
        seconds = time.perf_counter() - t0
        out["engines"][engine] = {
            "facts": group_facts(parts, parts), "generate_s": round(seconds, 1),
            "classifier": {role: group_classifier(ref, parts, role, seed) for role, ref in refs.items()
                           if any(role in p for p in parts)}}
    return out


def held_out_scores() -> tuple[list[RealPiece], list[RealPiece], str]:
    """The cached test and validation stretches of the score sets, and what a group without real
    pieces says: :data:`NO_REFERENCE`, or that none is cached at all."""
    test, valid = score_pieces("test"), score_pieces("valid")
    return test, valid, NO_REFERENCE if test else "no held-out score cached (python -m stori data-report reads them)"


def measure_meters(engines: list[str], meters: tuple[str, ...], n_songs: int, seed: int = 0) -> dict:
    """Per meter: songs from :data:`METER_PROMPTS` in it beside the held-out score stretches in it."""
    test, valid, absent = held_out_scores()
    return {m: compare_group(engines, song_requests(n_songs, seed, METER_PROMPTS, m),
                             [p for p in test if p.meter == parse_time_signature(m)],
                             [p for p in valid if p.meter == parse_time_signature(m)],
                             f"OpenScore Lieder and OpenEWLD test stretches in {m}", seed, absent) for m in meters}


def measure_styles(engines: list[str], n_songs: int, seed: int = 0) -> dict:
    """Per pitched style besides pop: 4/4 songs from its prompts beside its set's 4/4 test stretches."""
    test, valid, absent = held_out_scores()
    out = {}
    for style, prompts in STYLE_PROMPTS.items():
        def mine(pieces: list[RealPiece], name: str = STYLE_SET[style]) -> list[RealPiece]:
            return [p for p in pieces if p.family == name and p.meter == (4, 4)]

        out[style] = compare_group(engines, song_requests(n_songs, seed, prompts), mine(test), mine(valid),
                                   f"{SET_NAMES[STYLE_SET[style]]} test stretches in 4/4", seed, absent)
    return out


def pop_group(res: dict, songs: dict[str, list], real: dict) -> dict:
    """The 4/4 section above in a group's shape: its pitched roles, beside POP909's test songs."""
    pop = [p.parts for p in real["pop909"]]
    out = {"reference": "POP909 test songs (the 4/4 section)", "requests": res["requests"],
           "real_pieces": {"test": len(pop), "valid": 0}, "real": group_facts(pop, pop), "real_valid": {},
           "engines": {}}
    for engine, made in songs.items():
        parts = [song_parts(s) for s in made]
        found = res["engines"][engine]["classifier"]
        out["engines"][engine] = {"facts": group_facts(parts, parts),
                                  "generate_s": res["engines"][engine]["generate_s"],
                                  "classifier": {r: found[r] for r in GROUP_ROLES if r in found}}
    return out


def judged(group: dict) -> dict:
    """The real facts a group's engines are judged against: the test pieces', or the test and
    validation pieces' together where the test split has too few (``real_pooled``)."""
    return group.get("real_pooled") or group["real"]


def verdict(group: dict) -> dict | None:
    """Whether the learned engine beats the baseline in a group: its facts closer to the real ones
    in most rows, and its classifier accuracy lower for most roles (None without both engines or a
    reference)."""
    eng = group["engines"]
    if not {"learned", "baseline"} <= set(eng) or not group["real_pieces"]["test"]:
        return None
    closer = []
    for role, facts in judged(group).items():
        for k in GROUP_FACTS.get(role, ()):
            got = [eng[e]["facts"].get(role, {}).get(k) for e in ("learned", "baseline")]
            vals = [facts.get(k), *got]
            if all(v is not None and not math.isnan(v) for v in vals):
                closer.append(abs(got[0] - vals[0]) < abs(got[1] - vals[0]))
    acc = {e: {r: t["balanced_accuracy"] for r, t in eng[e]["classifier"].items() if "balanced_accuracy" in t}
           for e in ("learned", "baseline")}
    lower = [acc["learned"][r] < acc["baseline"][r] for r in acc["learned"] if r in acc["baseline"]]
    return {"facts_closer": sum(closer), "facts": len(closer), "classifier_lower": sum(lower),
            "classifiers": len(lower),
            "beats": 2 * sum(closer) > len(closer) and (not lower or 2 * sum(lower) > len(lower))}


def measure(engines: list[str], n_songs: int, seed: int = 0, with_drums_tab: bool = False,
            meters: tuple[str, ...] = (), styles: bool = False,
            group_songs: int = GROUP_SONGS) -> tuple[dict, dict[str, list]]:
    """The realness results (JSON-ready) and the generated songs per engine (of the 4/4 section);
    ``meters`` and ``styles`` add the groups of the module docstring."""
    real = load_real()
    ref = reference_facts(real)
    requests = song_requests(n_songs, seed)
    res: dict = {"songs": n_songs, "seed": seed, "requests": [r.__dict__ for r in requests], "real": ref,
                 "real_pieces": {"gmd": len(real["gmd"]), "pop909": len(real["pop909"])},
                 "families": {f: list(s) for f, s in STYLE_FAMILIES.items()}, "engines": {}}
    songs = {}
    for engine in engines:
        t0 = time.perf_counter()
        songs[engine] = generate_songs(engine, requests)
        seconds = time.perf_counter() - t0
        res["engines"][engine] = {**compare(songs[engine], real, ref, seed), "generate_s": round(seconds, 1),
                                  "genres": [s.spec.genre for s in songs[engine]]}
    if with_drums_tab:
        res["drums_tab"] = drums_tab(ref, seed)
    if meters:
        res["meters"] = measure_meters(engines, meters, group_songs, seed)
    if styles:
        res["styles"] = {"pop": pop_group(res, songs, real), **measure_styles(engines, group_songs, seed)}
    for group in (*res.get("meters", {}).values(), *res.get("styles", {}).values()):
        group["verdict"] = verdict(group)
    return res, songs


# --- the command ------------------------------------------------------------------------------
def _f(x, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def _mark(ok: bool | None) -> str:
    return {True: "pass", False: "FAIL", None: "–"}[ok]


def table_rows(res: dict) -> tuple[list[str], list[list[str]]]:
    """Header and rows: every fact per role, each engine beside the real value, checked facts marked."""
    engines = list(res["engines"])
    header = ["role", "fact", *engines, "real", "real (GMD valid)", "GMD test set grooves", "GMD test free",
              *(f"{e} within 25%" for e in engines)]
    rows = []
    first = res["engines"][engines[0]]
    for role, entry in first["facts"].items():
        keys = SHOWN["drums" if role == "drums" else "pitched"]
        checked = CHECKED["drums" if role == "drums" else "pitched"]
        for k in keys:
            ours = [res["engines"][e]["facts"].get(role, {}).get("ours", {}).get(k) for e in engines]
            real = (entry["real"] or {}).get(k)
            judged = k in checked and real is not None
            rows.append([role, k, *map(_f, ours), _f(real),
                         *(_f((entry.get(part) or {}).get(k)) for part in ("real_valid", "real_set", "real_free")),
                         *(_mark(within(o, real)) if judged and o is not None else "" for o in ours)])
    rows.append(["all pitched", "restrikes (total; real 0)", *(str(res["engines"][e]["restrikes"]) for e in engines),
                 "0", "", "", "",
                 *(_mark(res["engines"][e]["restrikes"] == 0) for e in engines)])
    return header, rows


def classifier_rows(res: dict) -> tuple[list[str], list[list[str]]]:
    engines = list(res["engines"])
    header = ["role", *(f"{e} balanced accuracy" for e in engines), "real-vs-real floor", "windows real / ours"]
    rows = []
    for role, t in res["engines"][engines[0]]["classifier"].items():
        found = [res["engines"][e]["classifier"].get(role, {}) for e in engines]
        rows.append([role, *(_f(f.get("balanced_accuracy"), 2) for f in found), _f(t["floor"], 2),
                     f"{t['windows']['real']} / " + " / ".join(str(f.get("windows", {}).get("generated", "–"))
                                                               for f in found)])
    return header, rows


def _closer(group: dict, ours: list, real) -> str:
    """Which engine's value is nearer the real one ("learned", "baseline", "tie"; blank without both)."""
    engines = list(group["engines"])
    if not {"learned", "baseline"} <= set(engines) or real is None or math.isnan(real):
        return ""
    got = dict(zip(engines, ours))
    if any(got[e] is None or math.isnan(got[e]) for e in ("learned", "baseline")):
        return ""
    gap = {e: abs(got[e] - real) for e in ("learned", "baseline")}
    return "tie" if gap["learned"] == gap["baseline"] else min(gap, key=gap.get)


def group_rows(groups: dict, label: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the facts of per-meter or per-style groups: each engine beside the real
    test and validation pieces, and which engine is closer."""
    engines = list(next(iter(groups.values()))["engines"])
    header = [label, "role", "fact", *engines, "real (test)", "real (valid)", "real pieces test / valid", "closer"]
    rows = []
    for name, g in groups.items():
        for role in (*GROUP_ROLES, "song"):
            if role not in g["real"] and not any(role in g["engines"][e]["facts"] for e in engines):
                continue
            for k in GROUP_FACTS[role]:
                ours = [g["engines"][e]["facts"].get(role, {}).get(k) for e in engines]
                real, valid = (g[part].get(role, {}) for part in ("real", "real_valid"))
                if not g["real_pieces"]["test"]:
                    rows.append([name, role, k, *map(_f, ours), g["reference"], "", "", ""])
                    continue
                if not real:
                    rows.append([name, role, k, *map(_f, ours), "no real part played", "", "", ""])
                    continue
                rows.append([name, role, k, *map(_f, ours), _f(real.get(k)), _f(valid.get(k)),
                             f"{real.get('pieces', 0)} / {valid.get('pieces', 0)}",
                             _closer(g, ours, judged(g).get(role, {}).get(k))
                             + (" (test + valid)" if "real_pooled" in g else "")])
    return header, rows


def group_classifier_rows(groups: dict, label: str) -> tuple[list[str], list[list[str]]]:
    engines = list(next(iter(groups.values()))["engines"])
    header = [label, "role", *(f"{e} balanced accuracy" for e in engines), "floor: test halves",
              "floor: valid vs test", "windows real / ours"]
    rows = []
    for name, g in groups.items():
        if not g["real_pieces"]["test"]:
            rows.append([name, "all", g["reference"], *[""] * (len(header) - 3)])
            continue
        for role, t in g["engines"][engines[0]]["classifier"].items():
            if "too_few" in t:
                rows.append([name, role, f"too few: {t['too_few']}", *[""] * (len(header) - 3)])
                continue
            found = [g["engines"][e]["classifier"].get(role, {}) for e in engines]
            rows.append([name, role, *(_f(f.get("balanced_accuracy"), 2) for f in found), _f(t["floor"], 2),
                         _f(t.get("floor_valid"), 2),
                         f"{t['windows']['real']} / " + " / ".join(str(f.get("windows", {}).get("generated", "–"))
                                                                   for f in found)])
    return header, rows


def verdict_rows(groups: dict, label: str) -> tuple[list[str], list[list[str]]]:
    header = [label, "reference", "songs per engine", "facts closer: learned", "classifier lower: learned",
              "learned beats baseline"]
    rows = []
    for name, g in groups.items():
        v = g.get("verdict")
        reference = g["reference"] + (f" (too few: {g['real_pieces']['test']}; with the validation stretches, "
                                      f"{sum(g['real_pieces'].values())} pieces)" if "real_pooled" in g else "")
        rows.append([name, reference, str(len(g["requests"])),
                     *((f"{v['facts_closer']} of {v['facts']}",
                        f"{v['classifier_lower']} of {v['classifiers']}" if v["classifiers"] else "no test (too few)",
                        "yes" if v["beats"] else "no") if v else ("", "", "–"))])
    return header, rows


def print_groups(res: dict) -> None:
    """The per-meter and per-style tables of a result, where it has them."""
    for key, label, what in (("meters", "meter", "Per meter: songs in each meter beside held-out score stretches "
                                                   "in that meter (Lieder, OpenEWLD)"),
                             ("styles", "style", "Per pitched style (4/4): pop beside POP909 (the section above), "
                                                 "artsong beside Lieder, standards beside OpenEWLD")):
        if key in res:
            print(f"\n{what}")
            for rows in (group_rows, group_classifier_rows, verdict_rows):
                print()
                _print_table(*rows(res[key], label))


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(x).ljust(w) for x, w in zip(r, widths)))


def add_arguments(parser) -> None:
    parser.add_argument("--engine", choices=("learned", "baseline", "both"), default="both")
    parser.add_argument("--songs", type=int, default=20, help="songs per engine (default 20)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--drums-tab", action="store_true", help="also measure the Drums tab's styles (8 and 16 bars)")
    parser.add_argument("--meters", nargs="?", const=",".join(OTHER_METERS), metavar="LIST",
                        help="also per meter beside held-out pieces of it: every meter but 4/4, or a comma list "
                             "such as 3/4,6/8")
    parser.add_argument("--styles", action="store_true",
                        help="also per pitched style (pop, artsong, standards) beside held-out pieces of it")
    parser.add_argument("--group-songs", type=int, default=GROUP_SONGS,
                        help=f"songs per engine for each meter and style (default {GROUP_SONGS})")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")


def run(args) -> int:
    from stori.console import print_result
    from stori.errors import StoriError
    from stori.evaluate.harness import json_ready

    for name in ("songs", "group_songs"):
        if getattr(args, name) < 1:
            raise StoriError(name.replace("_", "-"), f"{getattr(args, name)} is not a song count", "1 or more")
    meters = tuple(m.strip() for m in args.meters.split(",") if m.strip()) if args.meters else ()
    for m in meters:
        if m not in OTHER_METERS:
            raise StoriError("meters", f"{m!r} is not a meter measured apart", ", ".join(OTHER_METERS))
    engines = ["learned", "baseline"] if args.engine == "both" else [args.engine]
    res, _ = measure(engines, args.songs, args.seed, args.drums_tab, meters, args.styles, args.group_songs)
    if args.json:
        print_result(json_ready(res), True)
        return 0
    print(f"Realness: {args.songs} songs per engine (seed {args.seed}); real: {res['real_pieces']['gmd']} GMD test "
          f"beats (4/4), {res['real_pieces']['pop909']} POP909 test songs (4/4, whole)")
    _print_table(*table_rows(res))
    print("\nClassifier two-sample test on 2-bar windows (0.5 = indistinguishable; grouped 5-fold CV)")
    _print_table(*classifier_rows(res))
    if "drums_tab" in res:
        tab = res["drums_tab"]
        print(f"\nDrums tab ({', '.join(map(str, TAB_BARS))} bars per style) beside GMD test beats of each style's "
              "family")
        _print_table(["style", "family", "backbeat", "toms", "bar_repeats", "real backbeat", "real toms",
                      "real bar_repeats"],
                     [[s, r["family"], *(_f(r["ours"][k]) for k in CHECKED["drums"]),
                       *(_f(r["real"][k]) for k in CHECKED["drums"])]
                      for s, r in tab["styles"].items()]
                     + [["all styles", "", *(_f(tab["ours"][k]) for k in CHECKED["drums"]),
                         *(_f(tab["real"][k]) for k in CHECKED["drums"])]])
        print(f"tom share within 25% of real: {_mark(tab['toms_pass'])}")
    print_groups(res)
    return 0
