"""Rendering scaffolds with jinja2, safely.

Templates render in jinja2's SandboxedEnvironment with StrictUndefined, and
the context holds only plain data (strings, numbers, lists, dicts). A vault
can override any built-in template by putting a file of the same name under
`.codex/scaffolds/`. Includes and imports are looked up by the loader only
inside the template folders; a name with `..`, an absolute path, or a file
that resolves (through a symbolic link) outside its folder is refused, and
so is an override folder reached through a symbolic link; the vault's own
templates are read with no link followed at all (adapters.confined).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from codex_cli.errors import CodexError, Refused

OVERRIDE_DIR = ".codex/scaffolds"


class TemplateError(Refused):
    """A template is missing, broken, or tried to leave its folder."""


def builtin_dir() -> Path:
    return Path(str(resources.files("codex_cli.scaffolds")))


def _plain(value: Any, where: str = "context") -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, where) for v in value]
    raise CodexError(f"template {where} must be plain data, not {type(value).__name__}")


def _environment(folders: list[Path], vault_root: Path | None = None) -> Any:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    class ConfinedLoader(jinja2.FileSystemLoader):
        def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
            if template.startswith(("/", "\\")) or "\\" in template or any(p in ("..", ".", "") for p in template.split("/")):
                raise TemplateError(f"template {template!r} is outside the template folder")
            for folder in folders:
                if vault_root is not None and folder.is_relative_to(vault_root):
                    found = _vault_template(vault_root, f"{folder.relative_to(vault_root).as_posix()}/{template}", template)
                    if found is not None:
                        return found
                    continue
                try:
                    source, filename, uptodate = jinja2.FileSystemLoader([str(folder)]).get_source(environment, template)
                except jinja2.TemplateNotFound:
                    continue
                real = os.path.realpath(filename)
                if not real.startswith(os.path.realpath(folder) + os.sep):
                    raise TemplateError(f"template {template!r} resolves outside the template folder")
                return source, filename, uptodate
            raise jinja2.TemplateNotFound(template)

    return SandboxedEnvironment(
        loader=ConfinedLoader([str(f) for f in folders]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def _vault_template(root: Path, rel: str, name: str) -> tuple[str, str, Any] | None:
    """A template of the vault's own (`.codex/scaffolds/…`), read with no link followed (adapters.confined)."""
    from codex_cli.adapters import confined

    try:
        raw = confined.read(root, rel)
    except confined.LinkOnPath:
        raise TemplateError(f"template {name!r} resolves outside the template folder (through a symbolic link)") from None
    except OSError:
        return None
    try:
        return raw.decode("utf-8"), str(root / rel), lambda: False
    except UnicodeDecodeError:
        raise TemplateError(f"template {rel} is not UTF-8") from None


def folders_for(vault_root: Path | None, sub: str) -> list[Path]:
    folders = []
    if vault_root is not None:
        override = vault_root / OVERRIDE_DIR / sub
        if override.is_dir():
            from codex_cli.adapters.fs import refuse_unconfined

            try:
                refuse_unconfined(vault_root, f"{OVERRIDE_DIR}/{sub}", verb="read templates from")
            except Refused as exc:
                raise TemplateError(exc.message) from None
            folders.append(override)
    folders.append(builtin_dir() / sub)
    return folders


def render(name: str, context: Mapping[str, Any], *, sub: str, vault_root: Path | None = None) -> str:
    """Render template `sub/name` (a vault override first) with plain-data `context`."""
    import jinja2
    from jinja2.exceptions import SecurityError

    env = _environment(folders_for(vault_root, sub), vault_root)
    try:
        template = env.get_template(name)
        return str(template.render(**_plain(dict(context))))
    except TemplateError:
        raise
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"template {sub}/{name}: {exc.message}") from None
    except SecurityError as exc:
        raise TemplateError(f"template {sub}/{name} tried something the sandbox forbids: {exc}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template {exc.filename or name}, line {exc.lineno}: {exc.message}") from None


def list_templates(sub: str, vault_root: Path | None = None) -> list[str]:
    names: set[str] = set()
    for folder in folders_for(vault_root, sub):
        for dirpath, _dirs, files in os.walk(folder):
            for f in files:
                if f in ("__init__.py",) or f.endswith(".pyc"):
                    continue
                names.add(Path(dirpath, f).relative_to(folder).as_posix())
    return sorted(names)
