"""Every task, registered by importing this package."""

from workers.tasks import checkpoints, pools, rounds, training  # noqa: F401
