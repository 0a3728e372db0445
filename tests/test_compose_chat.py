"""A table of chat commands and what each must parse to: action, target, delta and parts."""
import pytest

from stori.compose.chat import ACTIONS, parse_command, resolve_sections

# The named deltas: more iNtense, Sadder, Calmer, more Driving, Brighter, more Tension, Resolve it; more intiMate.
N, S, C, D, B, T, R = ({"energy": 0.2, "tension": 0.2}, {"valence": -0.3},
                       {"energy": -0.3, "tension": -0.2, "motion": -0.2},
                       {"motion": 0.3, "energy": 0.1}, {"valence": 0.3}, {"tension": 0.3},
                       {"tension": -0.4, "valence": 0.1})
M = {"intimacy": 0.3, "energy": -0.1}
# text, action, sections, delta (None: don't care), dimensions
TABLE = [
    ("make it sadder", "adjust", [], S, []),
    ("make it more intense", "adjust", [], N, []),
    ("calmer", "adjust", [], C, []),
    ("more intimate please", "adjust", [], M, []),
    ("make it more driving", "adjust", [], D, []),
    ("brighter", "adjust", [], B, []),
    ("add more tension", "adjust", [], T, []),
    ("resolve it", "adjust", [], R, []),
    ("make the bridge more intense", "adjust", ["bridge"], N, []),
    ("make the chorus sadder", "adjust", ["chorus"], S, []),
    ("the intro should be calmer", "adjust", ["intro"], C, []),
    ("more intimate in the verse", "adjust", ["verse"], M, []),
    ("make the second chorus more driving", "adjust", ["chorus#2"], D, []),
    ("brighter in the first verse", "adjust", ["verse#1"], B, []),
    ("more tension in the pre-chorus", "adjust", ["pre_chorus"], T, []),
    ("resolve it in the outro", "adjust", ["outro"], R, []),
    ("make the last chorus more intense", "adjust", ["chorus#-1"], N, []),
    ("the final chorus should be happier", "adjust", ["chorus#-1"], B, []),
    ("darker bridge", "adjust", ["bridge"], S, []),
    ("make the outro gentler", "adjust", ["outro"], C, []),
    ("a bit sadder", "adjust", [], {"valence": -0.15}, []),
    ("much more intense", "adjust", [], {"energy": 0.3, "tension": 0.3}, []),
    ("less intense in the bridge", "adjust", ["bridge"], {"energy": -0.2, "tension": -0.2}, []),
    ("more intense and sadder in chorus 2", "adjust", ["chorus#2"], {"energy": 0.2, "tension": 0.2, "valence": -0.3},
     []),
    ("the melody should soar", "adjust", [], None, ["melody"]),
    ("the melody should soar in the chorus", "adjust", ["chorus"], None, ["melody"]),
    ("busier drums", "density", [], None, []),
    ("busier drums in the second verse", "density", ["verse#2"], None, []),
    ("sparser drums in the intro", "density", ["intro"], None, []),
    ("simpler chords", "adjust", [], None, ["harmony"]),
    ("simpler chords in the bridge", "adjust", ["bridge"], None, ["harmony"]),
    ("richer chords in the verse", "adjust", ["verse"], None, ["harmony"]),
    ("louder bass in the chorus", "level", ["chorus"], None, []),
    ("quieter piano in the outro", "level", ["outro"], None, []),
    ("make the melody higher in the bridge", "adjust", ["bridge"], None, ["melody"]),
    ("a busier bass line", "density", [], None, []),
    ("make the drums more driving in the chorus", "adjust", ["chorus"], D, ["drums"]),
    ("the guitar should be calmer in the verse", "adjust", ["verse"], C, ["harmony"]),
    ("regenerate the verse", "regenerate", ["verse"], {}, []),
    ("regenerate the second chorus", "regenerate", ["chorus#2"], {}, []),
    ("try the bridge again", "regenerate", ["bridge"], {}, []),
    ("rewrite the melody in the intro", "regenerate", ["intro"], {}, ["melody"]),
    ("regenerate the drums", "regenerate", [], {}, ["drums"]),
    ("undo", "undo", [], {}, []),
    ("undo that", "undo", [], {}, []),
    ("redo", "redo", [], {}, []),
    ("make it faster", "tempo", [], {}, []),
    ("slow it down", "tempo", [], {}, []),
    ("set the tempo to 120", "tempo", [], {}, []),
    ("at 90 bpm", "tempo", [], {}, []),
    ("change the key to D minor", "key", [], {}, []),
    ("put it in E major", "key", [], {}, []),
    ("transpose up a semitone", "key", [], {}, []),
    ("why is the chorus higher?", "why", ["chorus"], {}, []),
    ("why are the drums so busy in the bridge?", "why", ["bridge"], {}, ["drums"]) ,
    ("blah blah", "unknown", [], {}, []),
]


@pytest.mark.parametrize("text,action,sections,delta,dims", TABLE)
def test_command_table(text, action, sections, delta, dims):
    cmd = parse_command(text)
    assert cmd.action == action and action in ACTIONS
    assert cmd.sections == sections
    if delta is not None and action in ("adjust", "regenerate"):
        assert cmd.delta == pytest.approx(delta)
    if action in ("adjust", "regenerate"):
        assert cmd.dimensions == dims
    if action in ("level", "density"):  # what these change is checked on the notes in test_chat_phrasings.py
        assert cmd.part_words and (cmd.level or cmd.density)


def test_table_is_large_and_values_are_specific():
    assert len(TABLE) >= 50
    assert parse_command("set the tempo to 120").tempo == 120
    assert parse_command("make it faster").tempo_factor > 1 > parse_command("slow it down").tempo_factor
    assert parse_command("change the key to D minor").key == "D minor"
    assert parse_command("transpose up a semitone").transpose == 1
    assert parse_command("the melody should soar").behaviours == {"melody": "soaring"}
    assert parse_command("simpler chords").simpler_chords is True


def test_resolve_sections_by_type_and_ordinal():
    pairs = [("intro", "intro"), ("verse1", "verse"), ("chorus1", "chorus"), ("verse2", "verse"), ("chorus2", "chorus"),
             ("bridge", "bridge")]
    assert resolve_sections(parse_command("regenerate the verse"), pairs) == ["verse1", "verse2"]
    assert resolve_sections(parse_command("sadder in the second chorus"), pairs) == ["chorus2"]
    assert resolve_sections(parse_command("sadder in the last chorus"), pairs) == ["chorus2"]
    assert resolve_sections(parse_command("sadder"), pairs) == [p[0] for p in pairs]
