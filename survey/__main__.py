"""``python -m survey`` runs the evsurvey command line."""

from survey.cli import main

raise SystemExit(main())
