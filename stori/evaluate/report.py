"""EVALUATION.md and its plots, from the results dictionary the harness builds."""
from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HEADINGS = ("Validity", "Control fidelity", "Similarity to real music", "Realness", "Structure", "Speed")
CHANCE_BIN_ERROR = (8 * 8 - 1) / (3 * 8)
"""Mean |a - b| of two independent uniform draws from 8 bins: what ignoring the request scores."""

STRUCTURE_ROWS = (
    ("pitch_class_entropy", "Pitch-class entropy (bits, pitched tracks, per section)", "pop909"),
    ("groove_consistency_pitched", "Groove consistency, pitched tracks (per section)", "pop909"),
    ("groove_consistency_drums", "Groove consistency, drums (per section; GMD 4-bar windows)", "gmd"),
    ("chord_tone_ratio", "Melody chord-tone ratio on strong beats", "pop909"),
    ("motif_recurrence", "Motif recurrence: share of sections holding the song's most widespread 4-step pattern",
     "pop909"),
    ("major_share", "Sections estimated major (Krumhansl-Schmuckler)", "pop909"),
    ("chorus_minus_verse_note_density", "Chorus minus verse: notes per bar (pitched)", "pop909"),
    ("chorus_minus_verse_mean_velocity", "Chorus minus verse: mean velocity (pitched)", "pop909"),
    ("chorus_minus_verse_mean_pitch", "Chorus minus verse: mean pitch (pitched)", "pop909"),
)


def fmt(x, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(r) + " |" for r in rows),
            ""]


def _validity(res: dict, engines: list[str]) -> list[str]:
    v = res["validity"]
    real = v.get("real", {})
    counts = ", ".join(f"{v[e]['n']} songs ({e})" for e in engines)
    lines = [f"Each engine generated {counts} from random specs: a planned "
             "genre prompt with random tempo (60-180), meter, 2-6 sections of 2, 4 or 8 bars and a random emotion "
             "per section. A song is valid when it passes every check. The reference column runs the checks that "
             "apply to real sections (pitch range per role, zero-length notes, drum kit) on the real test splits; "
             "the others (requested tracks and sections, stuck notes, MIDI round trip) only exist for generated songs.",
             ""]

    def ref(check: str) -> str:
        vals = [f"{fmt(100 * real[d][check], 1)}% ({d.upper()})" for d in real if check in real[d]
                and not (check == "drum_kit" and d == "pop909")]
        return ", ".join(vals) or "–"

    rows = [["**valid songs**", *(fmt(100 * v[e]["valid_share"], 1) + "%" for e in engines), "–"]]
    rows += [[c, *(fmt(100 * v[e]["check_share"][c], 1) + "%" for e in engines),
              ref(c)] for c in v[engines[0]]["check_share"]]
    lines += _table(["check", *engines, "real sections"], rows)
    for e in engines:
        if v[e]["problems"]:
            lines += [f"First problems found ({e}):", "", *(f"- {p}" for p in v[e]["problems"]), ""]
    return lines + ["![validity](validity.png)", ""]


def _fidelity(res: dict, engines: list[str]) -> list[str]:
    lines = ["Each axis is swept from its lowest to its highest value with the other four held neutral "
             f"(energy 0.5, valence 0, tension 0.3, intimacy 0.5, motion 0.5); levels "
             f"{res['settings']['sweep_levels']}, songs per level {res['settings']['sweep_seeds']} (a verse and a "
             "chorus of 4 bars, pop). Features are measured on the pitched tracks (POP909, the reference, has no "
             "drums), active tracks count every role, per bar (a part that enters halfway through a section, as "
             "the arrangement brings parts in, counts a half there). Register spread is the span between the "
             "lowest and the highest part sounding in a bar, averaged over the bars: the cue is how close together "
             "the parts sit, and a standard deviation over all pitched notes also moved with how many notes each "
             "part plays (a thinner accompaniment under the same melody widened it) and shrank when a part joined "
             "between the others. Spearman's rho between the axis value and the measured "
             "feature; the sign it should have; the feature's mean at the lowest and highest level; and POP909's "
             "10th-90th percentile and mean of the feature per section, so a reader sees whether the sweep spans a "
             "realistic range (POP909 has no drum track, so its active tracks count at most 4 roles against the "
             "engines' 5). Non-chord tones are counted against the spec's chords with their extensions, so a "
             "planner that adds 7ths and 9ths as tension rises turns some melody notes into chord tones and can "
             "lower this rate while the harmony grows tenser. Unresolved is the share of a section's three closing "
             "cues away from the tonic (the last chord's root, the bass's last note, the melody's last note): a "
             "half cadence counts 1, a close on the tonic chord with the tune on its third or fifth (an imperfect "
             "close) 1/3. The last chord alone is 0 or 1 per section, and a chorus always comes home, so it tied "
             "every level above the verse's threshold and could not show a tenser close.", ""]
    for e in engines:
        fid = res["control_fidelity"][e]
        rows = []
        for axis, a in fid.items():
            if axis == "bin_error":
                continue
            for f, d in a["features"].items():
                rng = d["real_range"]
                rows.append([axis, f, "+" if d["expected_sign"] > 0 else "−", fmt(d["spearman"], 2),
                             "yes" if d["spearman"] * d["expected_sign"] > 0 else "no",
                             f"{fmt(d['means'][0], 2)} → {fmt(d['means'][-1], 2)}",
                             f"{fmt(rng[0], 2)} … {fmt(rng[1], 2)} (mean {fmt(rng[2], 2)})" if rng else "–"])
        lines += [f"**{e}**",
                  ""] + _table(["axis", "feature", "sign wanted", "Spearman ρ", "right sign", "low → high",
                                "POP909 p10 … p90 (mean)"], rows)
        if "bin_error" in fid:
            be = fid["bin_error"]
            lines += [f"Requested vs achieved melody attribute bins ({e}; bins: {be['bins']}), over the 4/4 sections "
                      "of the sweep and planned songs; requested = the section's `emotion_to_constraints` "
                      "(note_density, mid velocity, register_center), achieved = the model's conditioning measure "
                      "of the melody:", ""]
            lines += _table(["attribute", "mean abs bin error", "exact bin", "sections",
                             "chance (ignoring the request)"],
                            [[a, fmt(d["mean_abs_bin_error"], 2), fmt(100 * d["exact_share"], 1) + "%", str(d["n"]),
                              f"{CHANCE_BIN_ERROR:.2f} / 12.5%"] for a, d in be.items() if isinstance(d, dict)])
    return lines + ["![control fidelity](control_fidelity.png)", ""]


def _similarity(res: dict, engines: list[str]) -> list[str]:
    sim = res["similarity"]
    if not sim:
        return ["Real data was not available (`../shared/data`), so no comparison was made.", ""]
    lines = ["mgeval (Yang & Lerch 2018): per feature, the distances within the real set (intra-set) and from each "
             "generated sample to each real sample (inter-set), smoothed by Gaussian KDE. **OA** = overlapped area of "
             "the two densities (1 = indistinguishable), **KL** = KL(intra ‖ inter) in nats (0 = indistinguishable). "
             "Samples are one track of one section. The real set is split in halves by song; each engine and the "
             "other real half (the ceiling, *real vs real*) are compared with the same half. Pitched roles against "
             "POP909's test split, drums against GMD's test split. The generated samples are those of the planned "
             "songs described under Structure.", ""]
    for role, row in sim.items():
        cols = ["real_vs_real", *[e for e in engines if e in row]]
        rows = [[f, *(f"{fmt(row[c][f]['overlap'], 3)} / {fmt(row[c][f]['kl'], 3)}" for c in cols)]
                for f in row["real_vs_real"]]
        lines += [f"**{role}** (vs {row['dataset'].upper()} test; OA / KL)", ""] + _table(["feature", *cols], rows)
    return lines + ["![similarity](similarity.png)", "",
                    "The distributions behind those numbers: the real set's intra-set distances (black) against the "
                    "inter-set distances of the other real half (grey) and of each engine (colour); the closer a "
                    "colour follows the black line, the more the engine's music looks like the real music.", "",
                    "![similarity densities](similarity_kde.png)", ""]


def _realness(res: dict, engines: list[str]) -> list[str]:
    from stori.evaluate.realness import PROMPTS, classifier_rows, table_rows

    rl = res.get("realness") or {}
    if "engines" not in rl:
        return [f"Not measured: {rl.get('unavailable', 'no real data')}.", ""]
    ref = rl["real"]
    lines = [f"What a drummer and a bandleader notice first (`python -m stori realness --songs {rl['songs']} "
             f"--seed {rl['seed']}` prints the same). {rl['songs']} songs per engine, planned, composed and "
             f"performed in 4/4 from the prompts {', '.join(repr(p) for p in PROMPTS)} (cycling), energy and "
             f"valence varied, seed = k for song k. Definitions as in `../shared/tools/groove_facts.py` "
             f"(`stori/data/part_facts.py`): patterns use notes of velocity >= 50 on the nearest 16th; **backbeat** "
             "= share of snare hits on beats 2 and 4; **toms** = share of drum hits on toms; **bar repeats** "
             "(drums) = share of successive bars with the same kick+snare pattern; **fills** = share of bars with a "
             "tom hit or two snare hits above the piece's usual, at 4-bar phrase ends and elsewhere; "
             "**repeats_2bar** / **bar_repeats** (pitched) = share of successive 2-bar windows / bars with the same "
             "onsets; **median_beats** = median note length; **restrikes** = notes started while the same pitch "
             f"still sounds. Real drums: {rl['real_pieces']['gmd']} GMD test-split 4/4 beats, whole performances, "
             "of the style families of the songs' genres, with the validation split's beats of the same families "
             "beside them as a second real sample (where the two splits differ, real drummers differ as much); "
             f"real pitched roles: {rl['real_pieces']['pop909']} POP909 "
             f"test-split 4/4 songs, whole songs on the beat grid (melody = MELODY, counter_melody = BRIDGE, bass "
             "and harmony = PIANO split). A checked fact passes within 25% of the real value.", ""]
    lines += _table(*table_rows(rl))
    lines += ["Classifier two-sample test: each part cut into 2-bar windows; per window the onset grid (per drum "
              "group for drums), density, note lengths, velocities, register and intervals, timing against the grid "
              "(drums only: the POP909 reference is quantized) and repetition of the previous window; a logistic "
              "regression, grouped 5-fold cross-validation (a "
              "song never on both sides), balanced accuracy (0.5 = indistinguishable). The floor is the same test "
              "between two halves of the real set.", ""]
    lines += _table(*classifier_rows(rl))
    gmd = ref["gmd"]
    lines += ["Real drum facts per GMD style family (test split, 4/4 beats; mean over performances):", ""]
    lines += _table(["family", "beats", "backbeat", "toms", "bar_repeats", "fills_phrase_end", "fills_elsewhere"],
                    [[f, str(v["pieces"]),
                      *(fmt(v[k]) for k in ("backbeat", "toms", "bar_repeats", "fills_phrase_end", "fills_elsewhere"))]
                     for f, v in gmd.items()])
    lines += _realness_groups(rl)
    for engine, rolls in rl.get("piano_rolls", {}).items():
        lines += [f"Piano rolls ({engine}):", ""] + [f"![{r['prompt']}]({r['file']})" for r in rolls] + [""]
    return lines


def _realness_groups(rl: dict) -> list[str]:
    """The per-meter and per-style tables (issue 13), where the results have them."""
    from stori.evaluate.realness import (
        METER_PROMPTS,
        MIN_REAL_PIECES,
        STYLE_PROMPTS,
        group_classifier_rows,
        group_rows,
        verdict_rows,
    )

    lines = []
    if "meters" in rl:
        songs = len(next(iter(rl["meters"].values()))["requests"])
        lines += [f"**Per meter** (`python -m stori realness --meters --group-songs {songs}`): {songs} songs per "
                  f"engine in each meter the engines play besides 4/4, from the prompts "
                  f"{', '.join(repr(p) for p in METER_PROMPTS[:songs])} (pop, art song and standards in turn), seed = "
                  "k for song k, beside the held-out stretches of OpenScore Lieder and OpenEWLD in that meter (test "
                  "split; the validation split beside it as a second real sample). The songs are taken as written, "
                  "before the performer, as the scores are: a score's lengths and onsets are written ones. Pitched "
                  "facts per role and the "
                  "share of bars whose beat 1 is heard low (a kick or a bass note); a lead sheet's bass is derived "
                  "from its chords, so it counts only for beat 1. *closer*: whose value is nearer the real test "
                  f"pieces'; where the test split has fewer than {MIN_REAL_PIECES} pieces, nearer the test and "
                  "validation pieces' together, marked (test + valid): both are held out of training, and two or "
                  "five pieces are no reference alone.", ""]
        lines += _table(*group_rows(rl["meters"], "meter"))
        lines += [f"Classifier per role where the real side has {MIN_REAL_PIECES} pieces or more, on the windows' "
                  "features without velocities (a score's are its dynamics marks); floors: two halves of the test "
                  "pieces, and the test pieces against the validation pieces.", ""]
        lines += _table(*group_classifier_rows(rl["meters"], "meter"))
        lines += _table(*verdict_rows(rl["meters"], "meter"))
    if "styles" in rl:
        songs = len(rl["styles"]["artsong"]["requests"])
        lines += [f"**Per pitched style** (`python -m stori realness --styles --group-songs {songs}`): pop is the "
                  f"4/4 section above (POP909); {songs} songs per engine in 4/4 asking for art song "
                  f"({', '.join(repr(p) for p in STYLE_PROMPTS['artsong'][:songs])}) beside the Lieder's 4/4 test "
                  f"stretches, and for standards ({', '.join(repr(p) for p in STYLE_PROMPTS['standards'][:songs])}) "
                  "beside OpenEWLD's (melody only: a lead sheet has no played bass or harmony); as written, like the "
                  "meters. Pop is performed, as POP909 is.", ""]
        lines += _table(*group_rows(rl["styles"], "style"))
        lines += _table(*group_classifier_rows(rl["styles"], "style"))
        lines += _table(*verdict_rows(rl["styles"], "style"))
    return lines


def _structure(res: dict, engines: list[str]) -> list[str]:
    st = res["structure"]
    real = st["real"]
    rows = [[label, fmt(real.get(ref, {}).get(key)) + f" ({ref.upper()})", *(fmt(st[e].get(key)) for e in engines)]
            for key, label, ref in STRUCTURE_ROWS]
    rows.append(["Spec motif found where declared (interval + rhythm after its transformations, any transposition)",
                 "– (POP909 declares no motifs)",
                 *(f"{fmt(m['share'])} of {m['declared']}"
                   for m in (st[e]["spec_motif_recognisability"] for e in engines))])
    lines = [f"Each metric over {res['settings']['planned_songs']} planned songs per engine (the planner's own plan "
             "for a genre prompt, cycling through pop, indie folk, rock, hip-hop, jazz, ambient, funk, lo-fi, house "
             "and r&b, seed k for song k), beside the same metric on the real test split. Groove consistency is Wu "
             "& Yang's (2020) groove pattern similarity over all pairs of bars on a 16th-note grid (1 = every bar "
             "has the same onsets). Chord-tone ratio: melody notes starting on a strong beat (1 and 3 in 4/4) whose "
             "pitch class is in the sounding chord, pooled over sections (`stori.data.attributes`). Chorus minus "
             "verse: per song, mean over its choruses minus mean over its verses, then the mean over songs having "
             "both.", ""]
    return lines + _table(["metric", "real", *engines], rows) + ["![structure](structure.png)", ""]


def _speed(res: dict, engines: list[str]) -> list[str]:
    sp = res["speed"]
    lines = [f"Source: {sp['source']}.", ""]
    if sp["bench"]:
        lines += ["The learned engine's benchmark (`python -m stori bench --json`: an 8-bar four-track section "
                  "and the whole default song, after a warm-up):", "", "```json", json.dumps(sp["bench"], indent=2),
                  "```", ""]
    else:
        lines += ["`python -m stori bench --json` (which times the learned engine) was not run or gave no numbers "
                  "here, so only the harness's own timing follows.", ""]
    rows = [[e, str(h["songs"]), fmt(h["mean_s_per_song"], 3), fmt(h["max_s_per_song"], 3), fmt(h["mean_s_per_bar"], 4),
             fmt(h["realtime_factor"], 1) + "x"] for e, h in sp["harness"].items()]
    lines += ["This run's own timing of `compose()` on the validity and planned songs (CPU, the machine that wrote the "
              "report; real music plays at 1x, so anything above it is faster than listening):", ""]
    return lines + _table(["engine", "songs", "mean s/song", "max s/song", "s/bar", "song-time per wall-time"],
                          rows) + ["![speed](speed.png)", ""]


def write_markdown(res: dict, out: Path) -> None:
    engines = res["engines"]
    real = ", ".join(f"{k.upper()} test: {v['pieces']} pieces, {v['sections']} sections" for k,
                     v in res["real_data"].items())
    lines = ["# Stori evaluation", "",
             f"Made by `{res['command']}` ({'quick' if res['quick'] else 'full'} mode, seed {res['seed']}) in "
             f"{res['runtime_s']['total']:.0f} s. Engines: {', '.join(engines)}. Real data: {real or 'not available'}.",
             ""]
    skipped = res.get("skipped_engines", {})
    if skipped:
        lines += ["Not evaluated: " + "; ".join(f"{k} ({v})" for k, v in skipped.items()) + ".", ""]
    for heading, body in zip(HEADINGS, (_validity, _fidelity, _similarity, _realness, _structure, _speed)):
        lines += [f"## {heading}", "", *body(res, engines)]
    (out / "EVALUATION.md").write_text("\n".join(lines))


# --- plots ------------------------------------------------------------------------------------
def _bars(ax, labels: list[str], series: dict[str, list[float]], ylabel: str) -> None:
    width = 0.8 / max(1, len(series))
    for k, (name, values) in enumerate(series.items()):
        ax.bar([i + k * width for i in range(len(labels))], [0 if v is None or math.isnan(v) else v for v in values],
               width, label=name)
    ax.set_xticks([i + width * (len(series) - 1) / 2 for i in range(len(labels))])
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)


def _kde_plot(sim: dict, engines: list[str], path: Path) -> None:
    """The mgeval picture: per role and feature, the real set's intra-set distance density (black)
    against the inter-set density of the other real half (grey) and of each engine."""
    roles = list(sim)
    feats = max((list(sim[r]["real_vs_real"]) for r in roles), key=len)
    fig, axes = plt.subplots(len(roles), len(feats), figsize=(3.2 * len(feats), 2.4 * len(roles)), squeeze=False)
    for i, role in enumerate(roles):
        for j, f in enumerate(feats):
            ax = axes[i][j]
            if f not in sim[role]["real_vs_real"]:
                ax.axis("off")
                continue
            ceiling = sim[role]["real_vs_real"][f]["curve"]
            ax.plot(ceiling["x"], ceiling["intra_real"], color="k", lw=1.5, label="intra real")
            ax.plot(ceiling["x"], ceiling["inter"], color="grey", ls="--", label="inter real half")
            for k, e in enumerate(x for x in engines if x in sim[role]):
                c = sim[role][e][f]["curve"]
                ax.plot(c["x"], c["inter"], color=f"C{k}", label=f"inter {e}")
            name = f.replace("_histogram", "").replace("pitch_class_transition_matrix", "pc transitions")
            ax.set_title(f"{role}: {name}", fontsize=8)
            ax.tick_params(labelsize=6)
            if i == 0 and j == 0:
                ax.legend(fontsize=6)
    fig.supxlabel("distance between samples")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_plots(res: dict, out: Path) -> None:
    engines = res["engines"]
    v = res["validity"]
    checks = list(v[engines[0]]["check_share"])
    fig, ax = plt.subplots(figsize=(8, 4))
    _bars(ax, ["all checks", *checks],
          {e: [v[e]["valid_share"], *(v[e]["check_share"][c] for c in checks)] for e in engines},
          "share of songs passing")
    ax.axhline(1.0, color="k", lw=0.8, ls="--")
    ax.set_title("Validity over random specs")
    fig.tight_layout()
    fig.savefig(out / "validity.png", dpi=110)
    plt.close(fig)

    cf = {e: res["control_fidelity"][e] for e in engines}
    pairs = [(a, f) for a, d in cf[engines[0]].items() if a != "bin_error" for f in d["features"]]
    cols = 6
    rows = (len(pairs) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(18, 3 * rows), squeeze=False)
    for ax in axes.ravel()[len(pairs):]:
        ax.set_visible(False)
    for ax, (axis, f) in zip(axes.ravel(), pairs):
        for e in engines:
            d = cf[e][axis]
            ax.plot(d["levels"], d["features"][f]["means"], marker="o",
                    label=f"{e} (ρ={fmt(d['features'][f]['spearman'], 2)})")
        rng = cf[engines[0]][axis]["features"][f]["real_range"]
        if rng:
            ax.axhspan(rng[0], rng[1], color="grey", alpha=0.2, label="POP909 p10–p90")
            ax.axhline(rng[2], color="grey", lw=1, ls="--", label="POP909 mean")
        ax.set_title(f"{axis} → {f}", fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle("Control fidelity: feature mean per axis level")
    fig.tight_layout()
    fig.savefig(out / "control_fidelity.png", dpi=110)
    plt.close(fig)

    sim = res["similarity"]
    if sim:
        fig, axes = plt.subplots(1, len(sim), figsize=(4.5 * len(sim), 4), squeeze=False)
        for ax, (role, row) in zip(axes[0], sim.items()):
            cols = ["real_vs_real", *[e for e in engines if e in row]]
            feats = list(row["real_vs_real"])
            short = [f.replace("_histogram", "").replace("pitch_class_transition_matrix",
                                                         "pc_transitions") for f in feats]
            _bars(ax, short, {c: [row[c][f]["overlap"] for f in feats] for c in cols}, "overlapped area")
            ax.set_ylim(0, 1.05)
            ax.set_title(f"{role} vs {row['dataset'].upper()}")
        fig.tight_layout()
        fig.savefig(out / "similarity.png", dpi=110)
        plt.close(fig)

    if sim:
        _kde_plot(sim, engines, out / "similarity_kde.png")

    st = res["structure"]
    fig, axes = plt.subplots(2, (len(STRUCTURE_ROWS) + 1) // 2, figsize=(13, 6))
    for ax in axes.ravel()[len(STRUCTURE_ROWS):]:
        ax.axis("off")
    for ax, (key, _, ref) in zip(axes.ravel(), STRUCTURE_ROWS):
        names = [ref.upper(), *engines]
        vals = [st["real"].get(ref, {}).get(key, float("nan")), *(st[e].get(key, float("nan")) for e in engines)]
        ax.bar(names, [0 if v is None or math.isnan(v) else v for v in vals],
               color=["grey"] + [f"C{i}" for i in range(len(engines))])
        ax.set_title(key.replace("_", " "), fontsize=9)
        ax.tick_params(labelsize=8)
    fig.suptitle("Structure: each engine beside the real data")
    fig.tight_layout()
    fig.savefig(out / "structure.png", dpi=110)
    plt.close(fig)

    h = res["speed"]["harness"]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.bar(list(h), [h[e]["mean_s_per_song"] for e in h])
    ax.set_ylabel("mean seconds per song (compose)")
    ax.set_title("Generation time")
    fig.tight_layout()
    fig.savefig(out / "speed.png", dpi=110)
    plt.close(fig)


def write_report(res: dict, out: Path) -> None:
    write_markdown(res, out)
    write_plots(res, out)
