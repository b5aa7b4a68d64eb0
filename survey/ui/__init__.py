"""The desktop GUI (PySide6 + pyqtgraph). Start it with :func:`survey.ui.app.run_gui`.

Nothing outside this package imports Qt; everything here is a view over ``survey.project``,
``survey.rf``, ``survey.scan``, ``survey.analysis`` and ``survey.report``.
"""
