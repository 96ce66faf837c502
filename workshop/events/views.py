from flask import Blueprint, render_template

from ..auth.decorators import role_required
from . import services

bp = Blueprint("events", __name__, url_prefix="/workshops")


@bp.get("/")
@role_required("staff")
def list_workshops():
    return render_template("events/list.html", workshops=services.list_workshops())
