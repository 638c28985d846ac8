"""Every task, registered by importing this package, and every plugin (models/plugins.py) loaded
with them: the worker's pool processes inherit both."""

from models.plugins import load_plugins
from service.settings import get_settings
from workers.tasks import checkpoints, pools, predict, rounds, simulate, training  # noqa: F401

load_plugins(get_settings().disabled_plugins)
