"""Entry point for `flask --app wsgi` and `gunicorn wsgi:app`."""
import gc

from workshop import create_app

app = create_app()
# What exists once the app is built (modules, routes, templates' code, the models' metadata)
# lives as long as the process: moved out of the collector's reach, a full collection walks only
# what requests make. About 200,000 objects, a tenth of the summary's CPU.
gc.freeze()
