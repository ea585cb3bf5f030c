"""gunicorn settings for Linli: `gunicorn -c gunicorn.conf.py wsgi:app` (scripts/start and the
systemd unit in deploy/ use it).

Threaded workers (gthread): a slow client holds one thread of one worker, not a whole worker,
so a handful of slow or stalled connections (a phone on a weak signal, or a slowloris-style
client sending a header byte at a time) cannot stop the site from answering.
scripts/slowloris.py measures it. In production nginx buffers requests and responses in
front of gunicorn as well (README, deploy/nginx.conf), which protects it further.

Every value can be changed from the environment without editing this file. Start gunicorn with
MALLOC_ARENA_MAX=2 in its environment (the systemd unit and scripts/start do): with threads,
glibc's per-thread arenas otherwise keep the memory of large image uploads.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND") or (
    f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}")
worker_class = "gthread"
# Two processes per core is plenty for an I/O-bound app with threads; at least two, so one
# worker restarting never leaves the site without an answer.
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, min(8, multiprocessing.cpu_count() * 2))))
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
# A request that takes longer than this is stuck: the worker is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5  # seconds an idle keep-alive connection is kept (behind nginx: fewer sockets)
# Headers must fit in this; a longer request line or more fields is refused with 400.
limit_request_line = 8190
limit_request_fields = 100
# Restart each worker now and then, so a slow leak never grows into an outage.
max_requests = 5000
max_requests_jitter = 500

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# The request id ties an access-log line to the app's own lines about that request. The
# request line is scrubbed of ID and mobile numbers by the app's log filter (portal/web/logs.py).
access_log_format = ('%(h)s "%(r)s" %(s)s %(b)s %(M)sms '
                     'request_id=%({x-request-id}o)s "%(a)s"')
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# gunicorn 27 opens a control socket at one path per user (~/.gunicorn/gunicorn.ctl), so a
# second instance on the same host and user would take over the first one's. Each instance
# gets its own, named after its address, in systemd's RuntimeDirectory when there is one.
_runtime = os.environ.get("RUNTIME_DIRECTORY") or os.environ.get("TMPDIR") or "/tmp"  # noqa: S108
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or os.path.join(
    _runtime, f"linli-gunicorn-{bind.replace(':', '-').replace('/', '_')}.ctl")
