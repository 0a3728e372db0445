"""Bring your own MIDI: continue a musician's song, put a band under their melody, or compose chosen
bars of chosen parts anew, with the learned engine and every input note kept as it was.

``listen`` hears key, roles, chords and levels (``melody_chords`` the chords of a melody alone);
``extend`` continues and varies; ``retrieval`` finds real songs that continue the input;
``accompany`` plans and composes around a melody; ``seam`` measures how a cut is crossed;
``evaluation`` runs all of it on held-out POP909 songs; ``*_command`` are the CLI commands.
"""
