"""The static files as `article6 serve` collects them: compressed (gzip, and Brotli where
it is installed) under names that carry their content's hash, which browsers keep for a
year, and only what pages can ask for: the front-end packages ship source maps, type
definitions and every weight of every font, which would take minutes to collect."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage

# What no page asks for: source maps, sources and notes, and the font weights and styles the
# design does not use (it uses 400 and 600, upright: DESIGN.md).
LEFT_OUT = [
    "*.map",
    "*.ts",
    "*.scss",
    "*.md",
    "*.flow",
    "*-100-*",
    "*-200-*",
    "*-300-*",
    "*-500-*",
    "*-700-*",
    "*-800-*",
    "*-900-*",
    "*italic*",
    "1??.css",
    "2??.css",
    "3??.css",
    "5??.css",
    "7??.css",
    "8??.css",
    "9??.css",
    # The packages' other builds: pages load the minified ones only.
    "vega.js",
    "vega.module.js",
    "vega-core*.js",
    "vega-lite.js",
    "vega-lite.module.js",
    "vega-embed.js",
    "vega-embed.module.js",
    "vega-interpreter.js",
    "vega-interpreter.module.js",
    "bootstrap.js",
    "bootstrap.bundle.js",
    "bootstrap.esm*",
    "bootstrap.css",
    "bootstrap.rtl.css",
    "bootstrap-grid*",
    "bootstrap-reboot*",
    "bootstrap-utilities*",
    "htmx.js",
    "htmx.esm.js",
    "htmx.cjs.js",
    "htmx.amd.js",
]


class CollectedStaticFiles(CompressedManifestStaticFilesStorage):
    """A stylesheet or script that names a file left out (its source map, a font weight no
    page uses) keeps that reference as written, rather than failing the collection."""

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            if content is None:
                return name
            raise
