"""flask-limiter only where a limit applies.

Its before_request hook walks the limit tables on every request, also on the routes that
have none. The portal sets no application-wide, default or blueprint-wide limits (sign-in
attempts are counted in the database, portal/accounts/throttle.py), and a limit put on one
route with ``@limiter.limit`` is checked by that decorator itself. So while there are no
wider limits, the hook is taken off.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter


def skip_the_unlimited(app: Flask, limiter: Limiter) -> None:
    manager = limiter.limit_manager
    wide = (manager.application_limits or manager.default_limits
            or getattr(manager, "_blueprint_limits", True))
    hooks = app.before_request_funcs.get(None, [])
    if not wide and limiter._check_request_limit in hooks:
        hooks.remove(limiter._check_request_limit)
