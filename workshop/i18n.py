"""Message catalogs: Vietnamese source strings, compiled on start when the .mo is missing or old."""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.globals import _cv_app
from flask_babel import get_translations
from jinja2 import pass_context
from markupsafe import Markup


def compile_catalogs(directory: Path) -> None:
    """Compile every messages.po whose messages.mo is missing or older.

    `make` compiles them too; this keeps a server started any other way (gunicorn from a
    fresh clone) from ever running without its English catalog.
    """
    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        tmp_path = mo_path.with_suffix(".mo.tmp")
        with tmp_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp_path.replace(mo_path)


def page_translations():
    """flask_babel.get_translations(), kept in the request's Babel context while its locale is
    the same object: a page asks for it once per string (a personal page some thirty times),
    and each time flask_babel looks the context, the locale and its catalog up again.
    `force_locale` and `refresh` put another locale object there, so they are followed. The
    application context is read from its context variable, as flask.g would read it: through
    the proxy each string paid for two look-ups more."""
    app_context = _cv_app.get(None)
    context = getattr(app_context.g, "_flask_babel", None) if app_context is not None else None
    locale = getattr(context, "babel_locale", None)
    kept = getattr(context, "workshop_translations", None)
    if locale is not None and kept is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    context = getattr(app_context.g, "_flask_babel", None) if app_context is not None else None
    if context is not None and getattr(context, "babel_locale", None) is not None:
        context.workshop_translations = (context.babel_locale, translations)
    return translations


@pass_context
def _page_gettext(context, string: str, **variables) -> str:
    """Jinja's newstyle gettext (jinja2.ext._make_new_gettext), the catalog's ugettext called
    directly: Jinja's calls the installed function through the template context again, a
    second call per string. The same result: marked safe when autoescaping, and always
    formatted with its variables (so "%%" is "%" with or without them)."""
    translated = page_translations().ugettext(string)
    if context.eval_ctx.autoescape:
        # The catalog's text is ours, not user input; the variables are escaped by the %.
        translated = Markup(translated)  # nosec B704
    return translated % variables


def install_page_gettext(app) -> None:
    """The templates' _(), ngettext and pgettext through `page_translations`, as flask_babel
    installs them otherwise."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: page_translations().ugettext(s),
        ngettext=lambda s, p, n: page_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_translations().unpgettext(c, s, p, n),
    )
    # _() is Jinja's alias of gettext, which looks "gettext" up again and calls it through the
    # template context at every string: a personal page's twenty strings spent a tenth of its
    # rendering there. No page passes a gettext of its own, so _ is gettext itself.
    app.jinja_env.globals["gettext"] = app.jinja_env.globals["_"] = _page_gettext
