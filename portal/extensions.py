"""Extension objects, created unbound and bound to the app in create_app()."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

from portal.db import Database
from portal.web.catalogue import PortalBabel

db = Database()
login = LoginManager()
csrf = CSRFProtect()
babel = PortalBabel()
htmx = Htmx()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
