"""Static files: hashed names from url_for, a year's immutable caching, gzip and brotli copies,
ES module imports rewritten to hashed names (workshop/assets.py)."""
from __future__ import annotations

import gzip
import re
import subprocess
from pathlib import Path

import brotli
import pytest
from flask import url_for

from workshop.assets import AssetError, build, source_name
from workshop.config import REPO_ROOT
from workshop.office.pdf import static_file


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_url_for_names_the_hashed_file_served_for_a_year_and_compressed(app, client):
    with app.test_request_context():
        url = url_for("static", filename="vendor/jsqr/jsQR.min.js")
    assert re.fullmatch(r"/static/vendor/jsqr/jsQR\.min\.[0-9a-f]{12}\.js", url)
    source = (REPO_ROOT / "static/vendor/jsqr/jsQR.min.js").read_bytes()

    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert plain.headers["X-Content-Type-Options"] == "nosniff"
    assert plain.mimetype == "text/javascript"
    assert "Content-Encoding" not in plain.headers and plain.data == source
    assert "Access-Control-Allow-Origin" not in plain.headers

    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == source and len(zipped.data) < len(source) / 2

    squeezed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert squeezed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(squeezed.data) == source and len(squeezed.data) < len(zipped.data)


def test_the_plain_name_is_still_served_and_revalidated(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_the_vendored_library_is_the_minified_build_with_its_licence():
    folder = REPO_ROOT / "static/vendor/jsqr"
    assert "Apache License" in (folder / "LICENSE").read_text()
    library = (folder / "jsQR.min.js").read_text()
    assert library.startswith("/*! jsQR 1.4.0 | Apache-2.0")
    assert len(library) < 140_000 and library.count("\n") < 5  # minified: 257 KB as published
    assert not (folder / "jsQR.js").exists()


def test_imports_name_hashed_modules_and_a_change_below_renames_the_importers(tmp_path):
    source, target = tmp_path / "static", tmp_path / "build"
    write(source, "js/shared.js", "export const answer = 42;\n")
    write(source, "js/page/util.js", 'export { answer } from "../shared.js";\n')
    write(source, "js/page/main.js", 'import {\n  answer\n} from "./util.js";\nimport "../shared.js";\n'
                                     '// as in `import { x } from "./main.js"`: a comment\n')
    write(source, "css/app.css", "body { color: black; }\n")
    first = build(source, target)

    main = (target / first.names["js/page/main.js"]).read_text()
    util = Path(first.names["js/page/util.js"]).name
    shared = Path(first.names["js/shared.js"]).name
    assert f'from "./{util}"' in main and f'import "../{shared}"' in main
    assert '`import { x } from "./main.js"`' in main
    assert f'from "../{shared}"' in (target / first.names["js/page/util.js"]).read_text()
    assert first.with_imports("js/page/main.js") == ["js/page/main.js", "js/page/util.js", "js/shared.js"]
    assert (target / (first.names["css/app.css"] + ".gz")).exists() is False  # too small to gain

    write(source, "js/shared.js", "export const answer = 43;\n")
    second = build(source, target)
    assert second.names["css/app.css"] == first.names["css/app.css"]
    for name in ("js/shared.js", "js/page/util.js", "js/page/main.js"):
        assert second.names[name] != first.names[name]
        assert (target / first.names[name]).exists()  # a page loaded a moment ago still finds it


def test_an_import_of_a_missing_file_or_a_cycle_stops_the_build(tmp_path):
    source = tmp_path / "static"
    write(source, "js/main.js", 'import { x } from "./missing.js";\n')
    with pytest.raises(AssetError, match="missing.js"):
        build(source, tmp_path / "build")
    write(source, "js/main.js", 'import { x } from "./other.js";\n')
    write(source, "js/other.js", 'import { y } from "./main.js";\n')
    with pytest.raises(AssetError, match="cycle"):
        build(source, tmp_path / "build")


def test_every_module_of_the_app_imports_files_that_exist(app):
    manifest = app.extensions["assets"]
    modules = [name for name in manifest.names if name.startswith("js/")]
    assert modules and all(name in manifest.imports for name in modules)


def test_a_print_page_reads_its_hashed_style_from_the_static_folder(app):
    root = Path(app.static_folder).resolve()
    with app.test_request_context():
        url = url_for("static", filename="css/letter.css")
    assert url != "/static/css/letter.css"
    assert static_file(url, root) == root / "css" / "letter.css"
    assert source_name("js/scanner/main.0123456789ab.js") == "js/scanner/main.js"
    assert source_name("js/app.js") == "js/app.js"


def test_the_node_tests_of_the_scripts_pass():
    """The pure modules of static/js (the scanner's offline queue…) have tests run by node."""
    tests = REPO_ROOT / "static/js/tests"
    files = sorted(str(path.relative_to(REPO_ROOT)) for path in tests.glob("*.test.js"))
    assert len(files) >= 3
    result = subprocess.run(["node", "--test", *files], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^# pass [1-9]", result.stdout, re.MULTILINE), result.stdout
    assert re.search(r"^# fail 0$", result.stdout, re.MULTILINE), result.stdout


def test_in_debug_an_edited_script_gets_its_new_name_at_the_next_page(make_app, tmp_path):
    source = tmp_path / "static"
    write(source, "js/app.js", "export const version = 1;\n")
    app = make_app(DEBUG=True, STATIC_BUILD_FOLDER=str(tmp_path / "build"))
    app.static_folder = str(source)  # a static folder the test may edit
    client = app.test_client()

    def current() -> str:
        with app.test_request_context():
            client.get("/healthz")
            return url_for("static", filename="js/app.js")

    before = current()
    write(source, "js/app.js", "export const version = 2;\n")
    after = current()
    assert before != after
    assert client.get(after).data == b"export const version = 2;\n"
