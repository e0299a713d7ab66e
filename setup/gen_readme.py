"""Build each addon's README.rst from its manifest and its ``readme/*.md`` fragments.

OCA's generator needs pandoc; our fragments keep to the subset of Markdown that is also
valid reStructuredText (paragraphs, ``-`` lists, ``**bold**``), so they are copied as they
are under OCA's section titles. ``--check`` exits 1 when a README.rst is out of date.
"""

import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("INSTALL.md", "Installation"),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("DEVELOP.md", "Development"),
    ("ROADMAP.md", "Known issues / Roadmap"),
    ("CONTRIBUTORS.md", "Contributors"),
]


def render(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))
    title = manifest["name"]
    out = ["=" * len(title), title, "=" * len(title), ""]
    out += [
        f".. |maturity| replace:: {manifest.get('development_status', 'Alpha')}",
        f".. |license| replace:: {manifest['license']}",
        "",
        "Maturity: |maturity| — License: |license|",
        "",
    ]
    for fragment, heading in SECTIONS:
        path = addon / "readme" / fragment
        if not path.exists():
            continue
        if heading:
            out += [heading, "=" * len(heading), ""]
        out += [path.read_text(encoding="utf-8").rstrip(), ""]
    out += [
        "Maintainers",
        "===========",
        "",
        "This module is maintained by: " + ", ".join(manifest.get("maintainers", [])),
        "",
    ]
    return "\n".join(out)


def main(check):
    stale = []
    for manifest in sorted(ROOT.glob("*/__manifest__.py")):
        addon = manifest.parent
        text = render(addon)
        target = addon / "README.rst"
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        if check:
            stale.append(str(target.relative_to(ROOT)))
        else:
            target.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{path} is out of date: run python setup/gen_readme.py")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
