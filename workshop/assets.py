"""Static files under fingerprinted names, compressed once, kept by the phones for a year.

`url_for('static', filename='js/scanner/main.js')` gives `/static/js/scanner/main.<hash>.js`:
the name carries a hash of the content, so a browser may keep the file for good (`immutable`)
and a changed file is simply a new name. When the app starts, every file of static/ is written
once under its hashed name into the build folder, with a gzip and a brotli copy beside it, and
WhiteNoise serves that folder ahead of Flask (the right copy for the phone's Accept-Encoding,
no Python per request beyond a dictionary look-up). The plain names stay served by Flask's
static route, revalidated each time as before.

The scripts are ES modules that import each other by relative names (`../shared.js`). A hashed
module must import hashed modules, else what it imports could never be cached for good: the
build rewrites each relative import to the hashed name, so a module's hash covers the hashes of
what it imports (a change deep down renames every importer, nothing stale is ever served).
Styles are copied as they are: `url(...)` in CSS is not rewritten (app.css has none; a
relative url() would still work, served under its plain name).
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, url_for
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

# The kinds of files that get a hashed name (not the READMEs and scripts of vendor/).
SUFFIXES = {".js", ".css", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".woff2"}
HASH_LENGTH = 12
# `import … from "./x.js"`, `export … from "../y.js"`, `import "./z.js"`: the relative forms
# our modules use, each a statement at the start of a line (so that a comment or a string that
# mentions one is left alone). A bare name ("jsqr") is not ours to rewrite either.
RELATIVE_IMPORT = re.compile(
    r"""^(\s*(?:import|export)\b[^"';]*?\bfrom\s*|\s*import\s*)(["'])(\.{1,2}/[^"'\s]+)\2""", re.MULTILINE)
HASHED = re.compile(r"\.[0-9a-f]{" + str(HASH_LENGTH) + r"}(\.[A-Za-z0-9]+)$")
# Files of an older build are removed only after this long: a page loaded just before a
# restart still finds the modules it is about to import.
KEEP_OLD_SECONDS = 24 * 3600


class AssetError(RuntimeError):
    """A module imports a file that does not exist, or modules import each other in a cycle."""


def source_name(name: str) -> str:
    """`css/letter.3f9c0a1b2c3d.css` -> `css/letter.css` (a plain name is returned as it is)."""
    return HASHED.sub(r"\1", name)


@dataclass
class Manifest:
    """Source name -> hashed name, and what each module imports (source names)."""

    names: dict[str, str] = field(default_factory=dict)
    imports: dict[str, list[str]] = field(default_factory=dict)

    def url_name(self, name: str) -> str:
        return self.names.get(name, name)

    def with_imports(self, *names: str) -> list[str]:
        """These files and every module they import, directly or not (source names, in order)."""
        seen: dict[str, None] = {}
        stack = list(reversed(names))
        while stack:
            name = stack.pop()
            if name not in seen:
                seen[name] = None
                stack.extend(reversed(self.imports.get(name, [])))
        return list(seen)


def _hashed(name: str, data: bytes) -> str:
    stem, suffix = posixpath.splitext(name)
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:HASH_LENGTH]}{suffix}"


def _write_atomically(path: Path, data: bytes) -> None:
    """Several workers start at once: each writes its own temporary file, then renames it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def build(source: Path, target: Path) -> Manifest:
    """Write each file of `source` under its hashed name into `target` (skipping those already
    there), with .gz and .br copies where they are smaller; answer the manifest."""
    manifest = Manifest()
    compressor = Compressor(quiet=True)
    files = sorted(path.relative_to(source).as_posix() for path in source.rglob("*")
                   if path.is_file() and path.suffix in SUFFIXES and not path.name.startswith(".")
                   and "tests" not in path.relative_to(source).parts)
    available = set(files)

    def visit(name: str, importers: tuple[str, ...]) -> str:
        if name in manifest.names:
            return manifest.names[name]
        if name in importers:
            raise AssetError(f"modules import each other in a cycle: {' -> '.join(importers + (name,))}")
        data = (source / name).read_bytes()
        if name.endswith(".js"):
            data = rewrite_imports(name, data, importers + (name,))
        hashed = _hashed(name, data)
        manifest.names[name] = hashed
        path = target / hashed
        if not path.exists():
            # The copies first: a hashed file that exists is complete with them.
            if compressor.should_compress(name):
                squeezers = [(".gz", compressor.compress_gzip)]
                if compressor.use_brotli:
                    squeezers.append((".br", compressor.compress_brotli))
                for suffix, squeeze in squeezers:
                    smaller = squeeze(data)
                    if len(smaller) <= 0.95 * len(data):
                        _write_atomically(path.with_name(path.name + suffix), smaller)
            _write_atomically(path, data)
        return hashed

    def rewrite_imports(name: str, data: bytes, importers: tuple[str, ...]) -> bytes:
        folder = posixpath.dirname(name)
        imported: list[str] = []

        def replace(match: re.Match) -> str:
            keyword, quote, specifier = match.groups()
            wanted = posixpath.normpath(posixpath.join(folder, specifier))
            if wanted not in available:
                raise AssetError(f"{name} imports {specifier}, which is not in static/")
            imported.append(wanted)
            hashed = posixpath.basename(visit(wanted, importers))
            return f"{keyword}{quote}{posixpath.join(posixpath.dirname(specifier), hashed)}{quote}"

        text = RELATIVE_IMPORT.sub(replace, data.decode("utf-8"))
        manifest.imports[name] = imported
        return text.encode("utf-8")

    for name in files:
        visit(name, ())
    _remove_old(target, set(manifest.names.values()))
    return manifest


def _remove_old(target: Path, current: set[str]) -> None:
    limit = time.time() - KEEP_OLD_SECONDS
    for path in target.rglob("*"):
        if not path.is_file():
            continue
        name = path.relative_to(target).as_posix()
        base = name[:-3] if name.endswith((".gz", ".br")) else name
        try:
            if base not in current and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only build folder, or another worker was quicker: nothing to do


def _security_headers(headers, path: str, url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"


def init_app(app: Flask) -> None:
    """Build the hashed files, make url_for('static') name them, and serve them ahead of Flask."""
    source, target = Path(app.static_folder), Path(app.config["STATIC_BUILD_FOLDER"])
    manifest = build(source, target)
    app.extensions["assets"] = manifest

    if app.debug:
        # `flask run --debug`: a script edited while the server runs gets its new name at the
        # next page (a build that finds nothing new costs a few milliseconds).
        @app.before_request
        def rebuild() -> None:
            fresh = build(Path(app.static_folder), target)
            manifest.names, manifest.imports = fresh.names, fresh.imports

    def module_imports(name: str) -> list[str]:
        """The URLs of what module `name` imports, directly or not: for <link rel="modulepreload">,
        so that the browser asks for all of them at once rather than one level at a time."""
        return [url_for("static", filename=imported) for imported in manifest.with_imports(name)[1:]]

    app.jinja_env.globals["module_imports"] = module_imports

    @app.url_defaults
    def hashed_static_names(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = manifest.url_name(values["filename"])

    # Everything in the build folder has a hashed name: a year, immutable. Same origin only.
    # In debug, WhiteNoise looks at the folder at each request, to find the files just built.
    app.wsgi_app = WhiteNoise(
        app.wsgi_app, root=str(target), prefix=app.static_url_path, max_age=WhiteNoise.FOREVER,
        immutable_file_test=lambda path, url: True, allow_all_origins=False,
        add_headers_function=_security_headers, autorefresh=app.debug,
    )
