"""rasa_sdk's plugin package (``rasa_sdk.plugin._discover_plugins`` imports it by this name).

The action server (``rasa run actions``) calls :func:`init_hooks` at start-up;
what it attaches is in :mod:`bot.action_token`.
"""

import pluggy


def init_hooks(manager: pluggy.PluginManager) -> None:
    from bot import action_token

    manager.register(action_token)
