#!/bin/sh
# How jsQR.min.js was made (run from this folder; needs node and npm, nothing is installed
# into the project): the unchanged UMD build of the npm package, minified by terser.
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent jsqr@1.4.0 >/dev/null && tar xzf jsqr-1.4.0.tgz \
  && npm install --silent --no-save terser@5.51.4 >/dev/null)
cp "$work/package/LICENSE" LICENSE
"$work/node_modules/.bin/terser" "$work/package/dist/jsQR.js" --compress --mangle \
  --comments false -o "$work/min.js"
{ echo '/*! jsQR 1.4.0 | Apache-2.0 | github.com/cozmo/jsQR | see LICENSE */'; cat "$work/min.js"; } > jsQR.min.js
