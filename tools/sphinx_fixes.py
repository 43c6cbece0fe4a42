"""A Sphinx extension with fixes for the built book (listed under ``sphinx.local_extensions`` in
``_config.yml``).

* Each inline script once: with Sphinx 7.4, an extension that adds an inline script
  (``app.add_js_file(None, body=...)``) after the HTML builder starts, as sphinx-thebe and
  sphinx-togglebutton do, gets it twice on every page (once with ``filename=None``, once with
  ``''``), and the second ``const THEBE_JS_URL`` throws "Identifier 'THEBE_JS_URL' has already
  been declared" in the browser console. ``tests/test_browser.py`` found it.
"""

from __future__ import annotations


def _unique_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = (str(getattr(script, "filename", script) or ""), getattr(script, "priority", None),
               tuple(sorted((getattr(script, "attributes", None) or {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique  # a new list: the builder's own list is restored after each page


def setup(app):
    app.connect("html-page-context", _unique_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
