"""gunicorn settings: `gunicorn -c gunicorn.conf.py wsgi:app` (README, "Deploying for a province").

Every value comes from the environment so that one file serves a laptop, a systemd unit and a
Procfile platform. It imports nothing from the app: gunicorn reads it before any worker exists.

WEB_CONCURRENCY   worker processes; default one per CPU core, at least 2 (a crashed or busy
                  worker never leaves the door without an answer)
GUNICORN_THREADS  threads per worker (gthread); default 4: a request mostly waits on the database
BIND              full address, e.g. `0.0.0.0:8000` or `unix:/run/workshop/web.sock`; else
HOST, PORT        default 127.0.0.1:8000 (nginx in front on the same machine)
FORWARDED_ALLOW_IPS  addresses of the TLS proxy trusted for X-Forwarded-Proto (default 127.0.0.1)
SSL_CERTFILE, SSL_KEYFILE  serve HTTPS directly when there is no proxy: the phone camera only
                  works in a secure context, and a venue network is not localhost
GUNICORN_TIMEOUT  seconds a silent worker is given before it is restarted (default 30)
"""
import multiprocessing
import os


def _number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    number = int(value)
    if number < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return number


wsgi_app = "wsgi:app"
worker_class = "gthread"
workers = _number("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count()))
threads = _number("GUNICORN_THREADS", 4)

bind = [os.environ.get("BIND") or f"{os.environ.get('HOST') or '127.0.0.1'}:{_number('PORT', 8000)}"]

# A check-in answers in milliseconds; a worker silent for this long is stuck and gets replaced.
timeout = _number("GUNICORN_TIMEOUT", 30)
# On SIGTERM (systemctl stop/restart) requests in flight get this long to finish.
graceful_timeout = 20
# Phones on one venue Wi-Fi reuse their connection for the next scan.
keepalive = 5

# Behind nginx (deploy/nginx.conf.example) gunicorn trusts X-Forwarded-Proto from these addresses
# only, so that url_for(..., _external=True) and BASE_URL-less links say https://. List the
# proxy's address if it runs on another host; never "*" when the port is reachable from outside.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1"

certfile = os.environ.get("SSL_CERTFILE") or None
keyfile = os.environ.get("SSL_KEYFILE") or None
if bool(certfile) != bool(keyfile):
    raise ValueError("SSL_CERTFILE and SSL_KEYFILE go together: set both or neither")

# One line per request on stdout, the journal (systemd) or the platform log collects it.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The client's address as nginx saw it, the request, status, size and time taken.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# ... with the secrets of links (/i/<token>, /screen/<secret>, ?token=) written as ***. Named
# by its dotted path: gunicorn loads it, this file still imports nothing from the app.
logger_class = "workshop.accesslog.RedactingGunicornLogger"
