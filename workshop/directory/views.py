from flask import Blueprint, render_template, request

from ..auth.decorators import role_required
from ..extensions import db
from . import services

bp = Blueprint("directory", __name__, url_prefix="/directory")


@bp.get("/")
@role_required("staff")
def index():
    query = request.args.get("q", "")
    organizations = db.session.scalars(services.search_statement(query)).all()
    return render_template("directory/index.html", organizations=organizations, query=query)
