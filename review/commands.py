"""Click commands of this package; xunjian/cli.py adds every command listed in ``commands``."""

commands: list = []
