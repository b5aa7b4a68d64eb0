"""evsurvey: Wi-Fi site survey for smart EV charger installers.

Layers (imports point down this list only; nothing below ``ui`` imports Qt):
``cli`` → ``ui`` → ``report`` → ``analysis`` → ``netcheck``/``scan`` → ``rf`` → ``project``.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("evsurvey")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"
