"""Bring your own MIDI: continue a musician's song, put a band under their melody, or compose chosen
bars of chosen parts anew, with the learned engine and every input note kept as it was.

``listen`` hears key, roles, chords and levels; ``extend`` continues and varies; ``accompany``
plans and composes around a melody; ``seam`` measures how a cut is crossed; ``evaluation`` runs
all of it on held-out POP909 songs.
"""
