"""Vietnamese is the source language; the English catalog must translate every message."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parent.parent


def test_every_message_has_an_english_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-c", "from babel.messages.frontend import main; main()", "extract",
         "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=REPO, check=True, capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with (REPO / "translations/en/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and (m.string if isinstance(m.string, str) else all(m.string))
        and "fuzzy" not in m.flags
    }
    missing = sorted(wanted - translated)
    assert not missing, "run `make extract-messages` and translate:\n" + "\n".join(missing)


def test_templates_follow_the_locale_of_the_moment(app):
    """The templates keep the catalog of the request (i18n.page_translations), yet a language
    forced for a while (a letter in Vietnamese on an English page) and back is followed."""
    from flask import render_template_string
    from flask_babel import force_locale

    text = '{{ _("Chương trình") }} · {{ ngettext("%(num)d giấy mời", "%(num)d giấy mời", 2) }}'
    with app.test_request_context("/?lang=en"):
        english = render_template_string(text)
        with force_locale("vi"):
            vietnamese = render_template_string(text)
        again = render_template_string(text)
    with app.test_request_context("/"):
        default = render_template_string(text)
    assert english == again and "Chương trình" not in english
    assert vietnamese == default == "Chương trình · 2 giấy mời"


def test_templates_translate_and_format_as_jinja_s_newstyle_gettext(app):
    """The templates' _() calls the catalog directly (i18n._page_gettext), with the result of
    Jinja's own: translated, marked safe, its variables escaped, and always formatted."""
    from flask import render_template_string
    from jinja2 import Environment

    jinja = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    jinja.install_null_translations(newstyle=True)
    text = ('{{ _("Chương trình") }}|{{ _("100%%") }}|{{ _("%(name)s trân trọng kính mời", '
            'name="<b>Sở</b>") }}|{{ gettext("Chương trình") }}')
    with app.test_request_context("/?lang=en"):
        english = render_template_string(text)
    with app.test_request_context("/"):
        vietnamese = render_template_string(text)
    assert vietnamese == jinja.from_string(text).render()
    assert vietnamese == "Chương trình|100%|&lt;b&gt;Sở&lt;/b&gt; trân trọng kính mời|Chương trình"
    assert english.startswith("Agenda|100%|&lt;b&gt;Sở&lt;/b&gt; ") and english.endswith("|Agenda")
