"""EVALUATE: measure engines against real music (POP909, GMD), against their own controls, and the clock.

``python -m stori evaluate`` runs :func:`stori.evaluate.harness.run_evaluation`; the metrics are pure
functions over notes in :mod:`~stori.evaluate.features`, :mod:`~stori.evaluate.similarity`,
:mod:`~stori.evaluate.structure` and :mod:`~stori.evaluate.measures`.
"""
