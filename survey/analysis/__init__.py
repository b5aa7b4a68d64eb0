"""Analysis: the verdict at the charger, findings from the scans, where to put the fix, the
network checklist, and before/after comparison. Qt-free; entry point :func:`survey.analysis.recommend.recommend`."""
