"""The domain: frozen dataclasses (Observation, Sample, Survey, Wall, Device, Project, ...),
the ``.evsurvey`` SQLite store, charger profiles and unit formatting.

This layer imports nothing else of evsurvey (only ``survey.errors`` and ``survey.paths``)
and never Qt: everything above builds on it.
"""
