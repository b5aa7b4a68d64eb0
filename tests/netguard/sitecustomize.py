"""Start-up hook of Python subprocesses started by the test suite (the conftest puts this
folder on PYTHONPATH): installs the network guard when the suite asked for it."""

import os

if os.environ.get("EVSURVEY_NETGUARD") == "1":
    import evsurvey_netguard

    evsurvey_netguard.install(main_process=False)
