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
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from stori.data.gmd import FAMILY_OF, STYLE_FAMILIES
from stori.data.part_facts import drum_facts, mean_facts, parts_facts, song_parts
from stori.evaluate.real_parts import load_real, reference_facts
from stori.evaluate.two_sample import two_sample_test, windows_of
from stori.plan.genres import GENRE_FAMILY
from stori.spec.song import PITCHED_ROLES

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


@dataclass(frozen=True)
class Request:
    prompt: str
    energy: float
    valence: float
    seed: int


def song_requests(n: int, seed: int = 0) -> list[Request]:
    """Song ``k``: prompt ``k`` (cycling), energy and valence cycling at other rates, seed ``seed + k``."""
    return [Request(PROMPTS[k % len(PROMPTS)], ENERGIES[(k + k // len(PROMPTS)) % len(ENERGIES)],
                    VALENCES[k % len(VALENCES)], seed + k) for k in range(n)]


def generate_songs(engine: str, requests: list[Request]) -> list:
    """Plan, compose and perform each request in 4/4 (the studio's path)."""
    from stori.pipeline import generate

    return [generate(r.prompt, emotion={"energy": r.energy, "valence": r.valence}, time_signature="4/4",
                     engine=engine, seed=r.seed, trace=False) for r in requests]


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


def measure(engines: list[str], n_songs: int, seed: int = 0,
            with_drums_tab: bool = False) -> tuple[dict, dict[str, list]]:
    """The realness results (JSON-ready) and the generated songs per engine."""
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


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(x).ljust(w) for x, w in zip(r, widths)))


def add_arguments(parser) -> None:
    parser.add_argument("--engine", choices=("learned", "baseline", "both"), default="both")
    parser.add_argument("--songs", type=int, default=20, help="songs per engine (default 20)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--drums-tab", action="store_true", help="also measure the Drums tab's styles (8 and 16 bars)")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")


def run(args) -> int:
    from stori.console import print_result
    from stori.errors import StoriError
    from stori.evaluate.harness import json_ready

    if args.songs < 1:
        raise StoriError("songs", f"{args.songs} is not a song count", "1 or more")
    engines = ["learned", "baseline"] if args.engine == "both" else [args.engine]
    res, _ = measure(engines, args.songs, args.seed, args.drums_tab)
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
    return 0
