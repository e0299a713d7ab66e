"""The documentation names what the screens show: the menu paths of the readmes, README.md and
docs/ exist in the language of their section, the user guide's names (in bold) are strings of
the screens in Portuguese, and every picture of the guide exists and is taken by a step of
the guide's tours (test_guide_tours.py), so that the guide cannot drift from the screens."""

import os
import re
import struct

from lxml import etree

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

from .test_guide_tours import IMG_DIR, screenshot_steps

CORE = "l10n_br_credit_bureau"
REPOSITORY = os.path.dirname(get_module_path(CORE))
GUIDE = os.path.join(REPOSITORY, "docs", "guia-do-usuario.md")
IMAGE = re.compile(r"!\[[^\]]*\]\(img/([^)]+)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*")
SECTION = re.compile(r"^\*\*(Português|English)\*\*\s*$", re.M)
# Models whose standard screens the guide walks through (besides the addon's own).
STANDARD_MODELS = ("res.partner", "account.move", "res.users", "crm.lead")


def documentation_files(installed=None):
    """(path, default language) of the documentation that names screens: the readme
    fragments of every addon (of those ``installed`` when given: a bridge's readme names the
    menus of the addon it bridges) but the roadmaps (which quote other systems' menus),
    README.md and docs/*.md."""
    files = []
    for addon in sorted(os.listdir(REPOSITORY)):
        if installed is not None and addon not in installed:
            continue
        readme = os.path.join(REPOSITORY, addon, "readme")
        if os.path.isfile(os.path.join(REPOSITORY, addon, "__manifest__.py")) and os.path.isdir(
            readme
        ):
            files += [
                (os.path.join(readme, name), "en_US")
                for name in sorted(os.listdir(readme))
                if name.endswith(".md") and name != "ROADMAP.md"
            ]
    files.append((os.path.join(REPOSITORY, "README.md"), "en_US"))
    docs = os.path.join(REPOSITORY, "docs")
    for name in sorted(os.listdir(docs)):
        if name.endswith(".md"):
            lang = "pt_BR" if name == "guia-do-usuario.md" else "en_US"
            files.append((os.path.join(docs, name), lang))
    return files


def sections(text, default):
    """The text cut into (language, chunk) by its **Português** / **English** headings."""
    parts = SECTION.split(text)
    chunks = [(default, parts[0])]
    for heading, chunk in zip(parts[1::2], parts[2::2], strict=True):
        chunks.append(("pt_BR" if heading == "Português" else "en_US", chunk))
    return chunks


def png_size(path):
    with open(path, "rb") as image:
        header = image.read(24)
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", header[16:24])


@tagged("post_install", "-at_install")
class TestDocs(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pt_BR")

    def _menus(self, lang):
        """{parent id or False: {name: menu id}} of every menu, in ``lang``."""
        children = {}
        for menu in self.env["ir.ui.menu"].with_context(lang=lang).search([]):
            children.setdefault(menu.parent_id.id, {})[menu.name] = menu.id
        return children

    def _path_errors(self, text, children):
        """The menu paths (A › B › C) of ``text`` that do not exist in ``children``."""
        plain = text.replace("*", "").replace("`", "")
        errors = []
        for line in plain.splitlines():
            position = 0
            while (arrow := line.find(" › ", position)) >= 0:
                before = line[:arrow]
                roots = [name for name in children[False] if before.endswith(name)]
                root = max(roots, key=len, default=None)
                if root is None or (len(before) > len(root) and before[-len(root) - 1].isalnum()):
                    errors.append(f"{line.strip()!r}: no app called like {before!r} ends")
                    break
                menu, rest = children[False][root], line[arrow + 3 :]
                while True:
                    names = [
                        name
                        for name in children.get(menu, {})
                        if rest.startswith(name)
                        and (len(rest) == len(name) or not rest[len(name)].isalnum())
                    ]
                    if not names:
                        expected = ", ".join(sorted(children.get(menu, {}))) or "nothing"
                        errors.append(f"{line.strip()!r}: after {root!r} comes one of: {expected}")
                        break
                    name = max(names, key=len)
                    menu, rest = children[menu][name], rest[len(name) :]
                    root = name
                    if not rest.startswith(" › "):
                        break
                    rest = rest[3:]
                position = len(line) - len(rest)
        return errors

    def test_menu_paths_exist(self):
        """Every "A › B › C" of the documentation is a menu path, in the language of its
        section (Portuguese: Definições, not Configurações, is Odoo 19's Settings app)."""
        menus = {lang: self._menus(lang) for lang in ("en_US", "pt_BR")}
        installed = set(
            self.env["ir.module.module"].search([("state", "=", "installed")]).mapped("name")
        )
        problems = []
        for path, default in documentation_files(installed):
            with open(path, encoding="utf-8") as doc:
                text = doc.read()
            for lang, chunk in sections(text, default):
                problems += [
                    f"{os.path.relpath(path, REPOSITORY)} ({lang}): {error}"
                    for error in self._path_errors(chunk, menus[lang])
                ]
        self.assertFalse(problems, "\n".join(problems))

    def _screen_strings(self):
        """What a Portuguese user reads on the screens the guide shows: the addons' terms
        (labels, buttons, tabs, selection values, messages), every menu, and the labels and
        view strings of the standard forms the guide walks through."""
        env = self.env(context=dict(self.env.context, lang="pt_BR"))
        strings = set()
        modules = [
            name
            for name in env["ir.module.module"].search([("state", "=", "installed")]).mapped("name")
            if (path := get_module_path(name, display_warning=False))
            and os.path.dirname(path) == REPOSITORY
        ]
        reader = TranslationModuleReader(env.cr, modules=modules, lang="pt_BR")
        for _module, _type, _name, _res_id, source, value, _comments in reader:
            strings.add(value or source)
        strings.update(env["ir.ui.menu"].search([]).mapped("name"))
        strings.update(env["res.groups"].search([]).mapped("name"))
        for model in STANDARD_MODELS:
            for description in env[model].fields_get(attributes=["string", "selection"]).values():
                strings.add(description["string"])
                strings.update(label for _key, label in description.get("selection") or [])
            arch = env[model].get_views([(False, "form"), (False, "list")])["views"]
            for view in arch.values():
                for node in etree.fromstring(view["arch"]).iter():
                    strings.update(node.get(attr) for attr in ("string", "title") if node.get(attr))
                    if node.tag == "button" and (node.text or "").strip():
                        strings.add(node.text.strip())
        # "Analysis: consult" as the user form shows a privilege: its name, then the group.
        return {" ".join(s.split()) for s in strings if s}

    def test_guide_names_on_screen(self):
        """Every name in bold in the user guide is on the screens, in Portuguese, as
        written; a bold menu path is a menu path."""
        with open(GUIDE, encoding="utf-8") as guide:
            text = guide.read()
        strings = self._screen_strings()
        lowered = {s.lower() for s in strings}
        menus = self._menus("pt_BR")
        problems = []
        for match in BOLD.finditer(text):
            name = " ".join(match.group(1).split())
            if " › " in name:
                problems += self._path_errors(name, menus)
            elif name.lower() not in lowered:
                problems.append(f"{name!r} is not a string of the screens in Portuguese")
        self.assertFalse(problems, "\n".join(problems))

    def test_guide_images_come_from_the_tours(self):
        """Every picture of the guide is in docs/img, 1366×768, and taken by a named step
        of the guide's tours; every step's picture is in the guide; no other picture."""
        with open(GUIDE, encoding="utf-8") as guide:
            referenced = IMAGE.findall(guide.read())
        steps = screenshot_steps()
        self.assertTrue(referenced, "the guide shows no screen")
        problems = []
        for image in referenced:
            name, extension = os.path.splitext(image)
            path = os.path.join(IMG_DIR, image)
            if extension != ".png" or name not in steps:
                problems.append(f"img/{image}: no step screenshot({name!r}) in the guide's tours")
            elif not os.path.isfile(path):
                problems.append(f"img/{image}: missing (run ./setup/screenshots)")
            elif png_size(path) != (1366, 768):
                problems.append(f"img/{image}: {png_size(path)} instead of a 1366×768 PNG")
        problems += [
            f"the tours take {name}.png, which the guide does not show"
            for name in steps
            if f"{name}.png" not in referenced
        ]
        problems += [
            f"docs/img/{name} is shown nowhere in the guide"
            for name in sorted(os.listdir(IMG_DIR))
            if name not in referenced
        ]
        self.assertEqual(len(steps), len(set(steps)), "two steps take the same picture")
        self.assertFalse(problems, "\n".join(problems))
