"""The vault configuration: built-in teleo-codex conventions, overridden by `.codex.yaml`.

Every key is documented in docs/configuration.md. A vault needs no
configuration file at all; one that exists is merged over the defaults
(mappings merge key by key, lists and scalars replace).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codex_cli.core.paths import unconfined
from codex_cli.errors import ConfigError
from codex_cli.roots import CONFIG_FILE

_CLAIM_FIELDS: dict[str, Any] = {
    "type": {"required": True},
    "domain": {"required": True, "enum": "domains"},
    "description": {"required": True, "kind": "text"},
    "confidence": {"required": True, "enum": ["proven", "likely", "experimental", "speculative"]},
    "source": {"required": True, "kind": "text"},
    "created": {"required": True, "kind": "date"},
    "last_evaluated": {"kind": "date"},
    "depends_on": {"kind": "list"},
    "challenged_by": {"kind": "list"},
    "secondary_domains": {"kind": "list", "enum": "domains"},
    "status": {"enum": ["active", "retired"]},
}

DEFAULTS: dict[str, Any] = {
    # Folders whose direct subfolders are domains (named after the subfolder).
    "domain_roots": ["domains", "core", "foundations"],
    # Explicit domains, name -> folder; merged over the discovered ones.
    "domains": {},
    # Extra values accepted in `domain:` that have no folder of their own.
    "domain_values": ["livingip"],
    # Which files are topic maps.
    "maps": {"file_name": "_map.md", "extra": ["maps/*.md"]},
    # Frontmatter fields whose string values are note titles (references).
    "title_fields": ["depends_on", "challenged_by", "claims_extracted", "enrichments", "enrichments_applied"],
    # Which links a reader can follow are links (docs/configuration.md#links).
    "links": {
        # `aliases:` in a note's frontmatter names it too: [[an alias]] resolves to it.
        "aliases": True,
        # A `[[...]]` inside any frontmatter string value is a link.
        "frontmatter": True,
        # `[text](path.md)` to a note is a link (checked, rewritten by rename).
        "markdown": True,
        # A link written in another case than its target's name: warning, error or off.
        "case_drift": "warning",
    },
    # Note types that count as claims (maps should list them; `link` suggests them).
    "claim_types": ["claim"],
    # Files (globs) that hold several beliefs, one section each (`codex impact` follows them).
    "belief_files": ["agents/*/beliefs.md"],
    # `codex review`: the branch a change is compared with (unset: the first of
    # commit.protected_branches that exists, as `check --changed`), the folder whose
    # subfolders are the known agents, and the similarity (0-1) above which a
    # description restates its title (docs/review.md says how it was set).
    # `trailer_exempt`: commits the Pentagon-Agent trailer gate does not ask a
    # trailer of, by subject and/or author (RE2 patterns, searched); the
    # knowledge base's platform writes "Auto: …" commits with none. The rules
    # are read from the base's .codex.yaml (a branch cannot exempt itself).
    "review": {
        "agents_folder": "agents",
        "restatement": 0.8,
        "trailer_exempt": [{"subject": "^Auto: ", "why": "the platform's automatic commits (session logs, archived sources)"}],
    },
    # Globs (vault-relative) of notes to leave out entirely.
    "ignore": [],
    # Note types and their frontmatter schemas.
    "types": {
        "claim": {"folder": "domains/{domain}", "fields": _CLAIM_FIELDS},
        "belief": {
            "folder": "agents/{agent}/beliefs",
            "fields": {
                "type": {"required": True},
                "agent": {"required": True},
                "domain": {"required": True, "enum": "domains"},
                "description": {"required": True, "kind": "text"},
                "confidence": {"required": True, "enum": ["strong", "moderate", "developing"]},
                "depends_on": {"required": True, "kind": "list"},
                "created": {"required": True, "kind": "date"},
                "last_evaluated": {"required": True, "kind": "date"},
                "status": {"required": True, "enum": ["active", "under_review", "revised", "abandoned"]},
            },
        },
        "position": {
            "folder": "agents/{agent}/positions",
            "fields": {
                "type": {"required": True},
                "agent": {"required": True},
                "domain": {"required": True, "enum": "domains"},
                "description": {"required": True, "kind": "text"},
                "status": {"required": True, "enum": ["proposed", "adopted", "active", "closed"]},
                "outcome": {"required": True, "enum": ["pending", "validated", "invalidated", "mixed"]},
                "confidence": {"required": True, "enum": ["high", "moderate", "cautious"]},
                "depends_on": {"required": True, "kind": "list"},
                "time_horizon": {"required": True, "kind": "text"},
                "performance_criteria": {"required": True, "kind": "text"},
                "proposed_by": {"required": True, "kind": "text"},
                "created": {"required": True, "kind": "date"},
                "adopted": {"kind": "date"},
                "last_evaluated": {"kind": "date"},
            },
        },
        "source": {
            "folder": "inbox/archive",
            "fields": {
                "type": {"required": True},
                "title": {"required": True, "kind": "text"},
                "author": {"required": True, "kind": "text"},
                "url": {"kind": "text"},
                "date": {"required": True, "kind": "date"},
                "domain": {"required": True, "enum": "domains"},
                "format": {"enum": ["essay", "paper", "thread", "article", "report", "transcript", "book", "tweet", "video", "podcast", "other"]},
                # `partial` (paywalled, older files) is the schema's legacy word for processing: accepted, not offered
                "status": {"required": True, "enum": ["unprocessed", "processing", "processed", "null-result"], "legacy": ["partial"]},
                "processed_by": {"kind": "text"},
                "processed_date": {"kind": "date"},
                "claims_extracted": {"kind": "list"},
                "enrichments": {"kind": "list"},
                "tags": {"kind": "list"},
            },
        },
        "musing": {
            "folder": "agents/{agent}/musings",
            # schemas/musing.md: "Agents commit directly to their own musings directory" (no review branch)
            "branch": False,
            "fields": {
                "type": {"required": True},
                "agent": {"required": True},
                "title": {"required": True, "kind": "text"},
                "status": {"required": True, "enum": ["seed", "developing", "ready-to-extract"]},
                "created": {"required": True, "kind": "date"},
                "updated": {"kind": "date"},
                "tags": {"kind": "list"},
            },
        },
        "entity": {
            "folder": "entities/{domain}",
            "fields": {
                "type": {"required": True},
                "entity_type": {"required": True, "enum": ["company", "person", "protocol", "organization", "product", "fund", "other"]},
                "name": {"required": True, "kind": "text"},
                "domain": {"required": True, "enum": "domains"},
                "status": {"enum": ["active", "inactive", "acquired", "defunct"]},
                "description": {"kind": "text"},
                "website": {"kind": "text"},
                "created": {"required": True, "kind": "date"},
                "last_updated": {"kind": "date"},
                "tags": {"kind": "list"},
            },
        },
    },
    "commit": {
        "subject": "{agent}: {action}",
        "agent_trailer": "Pentagon-Agent: {name} <{id}>",
        "headless_id": "HEADLESS",
        "contributor_trailer": "Contributor: {name}",
        "protected_branches": ["main", "master"],
        "branch": "{agent}/{slug}",
        # the branch of an extraction and of the source lifecycle ({stem}: the source's file name without .md)
        "extract_branch": "extract/{stem}",
    },
    # Known agents: handle -> {name, id}. `--agent`, CODEX_AGENT or the user
    # configuration pick one; an agent not listed here commits with <HEADLESS>.
    "agents": {},
    "agent": None,
    # The vault's own schema files (`<folder>/<type>.md`): their fields and enums
    # override the built-in types above; this file overrides both. "" reads none.
    "schemas": "schemas",
}

# A schema file larger than this is not read (it is documentation, not data).
SCHEMA_MAX_BYTES = 256 * 1024


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


@dataclass
class Config:
    data: dict[str, Any]
    root: Path
    source: Path | None = None
    schema_domains: frozenset[str] = frozenset()  # domain names the vault's schema files list
    _domains: dict[str, str] | None = field(default=None, repr=False)
    _map_pattern: Any = field(default=None, repr=False, compare=False)

    # --- simple accessors ---
    @property
    def title_fields(self) -> frozenset[str]:
        return frozenset(self.data["title_fields"])

    @property
    def links(self) -> dict[str, Any]:
        return dict(self.data["links"])

    @property
    def aliases(self) -> bool:
        return bool(self.data["links"]["aliases"])

    @property
    def case_drift(self) -> str | None:
        """The severity of a `link-case` finding, None when it is off."""
        value = self.data["links"]["case_drift"]
        return None if value in ("off", False, None) else str(value)

    @property
    def claim_types(self) -> frozenset[str]:
        return frozenset(self.data["claim_types"])

    @property
    def belief_files(self) -> list[str]:
        return list(self.data.get("belief_files") or [])

    def is_belief_file(self, path: str) -> bool:
        from fnmatch import fnmatchcase

        return any(fnmatchcase(path, g) for g in self.belief_files)

    def belief_files_in(self, paths: Iterable[str]) -> list[str]:
        """The belief files among `paths`: each glob's literal start tested first (a fast string test over a listing)."""
        import re

        starts = tuple(re.split(r"[*?\[]", g)[0] for g in self.belief_files)
        return [p for p in paths if p.startswith(starts) and self.is_belief_file(p)] if starts else []

    @property
    def review(self) -> dict[str, Any]:
        return dict(self.data.get("review") or {})

    @property
    def base_branches(self) -> list[str]:
        """The branches work is compared with and starts from, in order: `review.base`
        when set, else `commit.protected_branches` (main, then master)."""
        base = self.review.get("base")
        if base:
            return [str(base)]
        return [str(b) for b in self.commit.get("protected_branches") or []] or ["main"]

    @property
    def map_file_name(self) -> str:
        return str(self.data["maps"]["file_name"])

    @property
    def map_globs(self) -> list[str]:
        return list(self.data["maps"].get("extra") or [])

    @property
    def types(self) -> dict[str, Any]:
        return dict(self.data["types"])

    @property
    def commit(self) -> dict[str, Any]:
        return dict(self.data["commit"])

    @property
    def ignore(self) -> list[str]:
        return list(self.data.get("ignore") or [])

    @property
    def domains(self) -> dict[str, str]:
        """Domain name -> vault-relative folder (a linked folder is no domain)."""
        if self._domains is None:
            from codex_cli.adapters import fs

            found: dict[str, str] = {}
            for root_name in self.data.get("domain_roots") or []:
                root_name = str(root_name).strip("/")
                if fs.symlink_on_path(self.root, root_name) is not None:
                    continue  # never list a folder through a link (it may leave the vault)
                try:
                    entries = sorted(os.scandir(self.root / root_name), key=lambda e: e.name)
                except OSError:
                    continue
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                        found.setdefault(entry.name, f"{root_name}/{entry.name}")
            for name, folder in (self.data.get("domains") or {}).items():
                found[str(name)] = str(folder).strip("/")
            self._domains = found
        return self._domains

    @property
    def domain_values(self) -> frozenset[str]:
        return frozenset(self.domains) | frozenset(self.data.get("domain_values") or []) | self.schema_domains

    def is_map(self, path: str) -> bool:
        """Whether the note at `path` is a map (asked for every note: no glob matching per call)."""
        name = self.data["maps"]["file_name"]
        if path.endswith(name) and path.rpartition("/")[2] == name:
            return True
        if self._map_pattern is None:
            import re
            from fnmatch import translate

            self._map_pattern = re.compile("|".join(translate(g) for g in self.map_globs) or "(?!)")
        return self._map_pattern.match(path) is not None

    def is_ignored(self, path: str) -> bool:
        from fnmatch import fnmatchcase

        return any(fnmatchcase(path, g) for g in self.ignore)

    def domain_of_folder(self, folder: str) -> str | None:
        for name, dfolder in self.domains.items():
            if folder == dfolder or folder.startswith(dfolder + "/"):
                return name
        return None

    def map_for_domain(self, domain: str) -> str | None:
        folder = self.domains.get(domain)
        return f"{folder}/{self.map_file_name}" if folder else None

    def fingerprint(self) -> str:
        """Changes whenever anything that affects per-note results changes:
        the configuration, the domains, and the tool's own code."""
        payload = json.dumps(
            {"v": code_stamp(), "d": self.data, "dom": sorted(self.domain_values)},
            sort_keys=True,
            default=str,
        )
        return hashlib.sha1(payload.encode()).hexdigest()[:16]


_CODE_STAMP: str | None = None


def code_stamp() -> str:
    """The version plus the newest modification time of the package's modules.

    Cached results are keyed by it, so an upgrade (or an edit to an editable
    install) never serves findings computed by other code.
    """
    global _CODE_STAMP
    if _CODE_STAMP is None:
        from codex_cli import __version__

        package = Path(__file__).resolve().parent
        newest = 0
        count = 0
        for folder in (package, *[p for p in package.iterdir() if p.is_dir() and not p.name.startswith("__")]):
            for entry in os.scandir(folder):
                if entry.name.endswith(".py"):
                    newest = max(newest, entry.stat().st_mtime_ns)
                    count += 1
        _CODE_STAMP = f"{__version__}:{newest}:{count}"
    return _CODE_STAMP


MAX_CONFIG_BYTES = 256 * 1024


def load(root: Path) -> Config:
    """The configuration of the vault at `root` (defaults when it has none).

    The file is untrusted input (a repository you cloned may be hostile): it
    must be a regular file (not a symbolic link), at most MAX_CONFIG_BYTES,
    YAML without anchors or aliases, and every setting must pass the typed
    schema (config_schema) with every path inside the vault. Any problem is
    a ConfigError naming the line, before anything is planned.
    """
    path = root / CONFIG_FILE
    data = copy.deepcopy(DEFAULTS)
    if not os.path.lexists(path):
        types, domains = vault_schemas(root, DEFAULTS["schemas"])
        return Config(_merge(data, {"types": types}), root, schema_domains=domains)
    loaded, lines = _read(path)
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"{CONFIG_FILE}: expected a mapping of settings")
    unknown = [k for k in loaded if k not in DEFAULTS and k != "version"]
    if unknown:
        raise ConfigError(f"{_where(lines, unknown[0])}: unknown setting {unknown[0]!r} (see docs/configuration.md)")
    folder = loaded.get("schemas", DEFAULTS["schemas"])
    if folder is not None and (not isinstance(folder, str) or (folder and unconfined(folder) is not None)):
        raise ConfigError(f"{_where(lines, 'schemas')}: schemas must be a folder inside the vault (or \"\" for none)")
    types, domains = vault_schemas(root, folder or "")
    merged = _merge(_merge(data, {"types": types}), loaded)
    _validate(merged, lines)
    return Config(merged, root, path, schema_domains=domains)


def vault_schemas(root: Path, folder: str) -> tuple[dict[str, Any], frozenset[str]]:
    """Note types read from the vault's `<folder>/<type>.md` files (core.schemas), and the domains they list.

    Only regular files inside the vault are read: a folder or file that is a
    symbolic link leading out of it, or a file too large to be a schema, is skipped.
    """
    from codex_cli.core.schemas import parse_schema

    if not folder:
        return {}, frozenset()
    base = root / folder
    from codex_cli.adapters.fs import symlink_on_path

    if unconfined(folder) is not None or symlink_on_path(root, folder) is not None:
        return {}, frozenset()
    try:
        real_root = root.resolve()
        if not base.resolve().is_relative_to(real_root) or not base.is_dir():
            return {}, frozenset()
        entries = sorted(os.scandir(base), key=lambda e: e.name)
    except OSError:
        return {}, frozenset()
    types: dict[str, Any] = {}
    domains: set[str] = set()
    for entry in entries:
        if not entry.name.endswith(".md") or entry.is_symlink() or not entry.is_file(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_size > SCHEMA_MAX_BYTES:
                continue
            text = Path(entry.path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        spec, listed = parse_schema(text, entry.name[:-3])
        if spec:
            types[entry.name[:-3]] = spec
            domains |= listed
    return types, frozenset(domains)


def _read_file(path: Path) -> str:
    """The text of `.codex.yaml`: a regular file, not a link, not too large."""
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        if os.path.islink(path):
            raise ConfigError(f"{CONFIG_FILE}: is a symbolic link; codex reads only a regular file here")
        fd = os.open(path, flags)
    except OSError as exc:
        raise ConfigError(f"{CONFIG_FILE}: cannot read it: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{CONFIG_FILE}: is not a regular file")
        if info.st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{CONFIG_FILE}: is {info.st_size} bytes; the limit is {MAX_CONFIG_BYTES} (256 KiB)")
        with os.fdopen(os.dup(fd), "rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{CONFIG_FILE}: cannot read it: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{CONFIG_FILE}: is larger than the limit of {MAX_CONFIG_BYTES} bytes (256 KiB)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{CONFIG_FILE}: cannot read it: not UTF-8 ({exc.reason} at byte {exc.start})") from None


def _read(path: Path) -> tuple[Any, dict[str, int]]:
    """The file's settings as plain data, and the line of each key (dotted: `maps.file_name`, `domain_roots.0`).

    ruamel.yaml (YAML 1.2: `no` is a string, not false) keeps where each key
    was written, so that an error can point at its line.
    """
    return _parse(_read_file(path))


def _parse(text: str) -> tuple[Any, dict[str, int]]:
    from ruamel.yaml.error import YAMLError

    from codex_cli.core import yaml_rt

    try:
        node = yaml_rt.reader().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        at = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{CONFIG_FILE}{at}: invalid YAML: {problem}") from None
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"{CONFIG_FILE}: invalid YAML: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    lines: dict[str, int] = {}
    _lines_of(node, "", lines)
    return _plain(node), lines


def _lines_of(node: Any, prefix: str, lines: dict[str, int]) -> None:
    """Record the line of every key and list item under `node`."""
    lc: Any = getattr(node, "lc", None)
    if isinstance(node, dict):
        for key, value in node.items():
            dotted = f"{prefix}{key}"
            try:
                lines[dotted] = lc.key(key)[0] + 1
            except (KeyError, TypeError, AttributeError):
                pass
            _lines_of(value, dotted + ".", lines)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            dotted = f"{prefix}{i}"
            try:
                lines[dotted] = lc.item(i)[0] + 1
            except (KeyError, TypeError, AttributeError, IndexError):
                pass
            _lines_of(value, dotted + ".", lines)


def _plain(node: Any) -> Any:
    """ruamel's round-trip types as the plain dicts, lists and scalars the rest of the code expects."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)


def _line(lines: dict[str, int], key: str) -> int | None:
    """The line of a dotted key: its own, else its nearest parent's."""
    parts = key.split(".")
    while parts:
        dotted = ".".join(parts)
        if dotted in lines:
            return lines[dotted]
        parts.pop()
    return None


def settings_in(text: str) -> dict[str, Any]:
    """The settings a `.codex.yaml` text gives (another commit's: review reads the base's),
    merged over the defaults and validated as `load` does (a ConfigError names the line)."""
    if len(text.encode("utf-8", "surrogateescape")) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{CONFIG_FILE}: is larger than the limit of {MAX_CONFIG_BYTES} bytes (256 KiB)")
    loaded, lines = _parse(text)
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"{CONFIG_FILE}: expected a mapping of settings")
    merged = _merge(copy.deepcopy(DEFAULTS), loaded)
    _validate(merged, lines)
    return merged


def _where(lines: dict[str, int], key: str) -> str:
    line = _line(lines, key)
    return f"{CONFIG_FILE}:{line}" if line is not None else CONFIG_FILE


def _validate(data: dict[str, Any], lines: dict[str, int] | None = None) -> None:
    """Raise ConfigError listing every problem, one line each, with its line in the file."""
    from codex_cli.config_schema import validate

    problems = validate(data, DEFAULTS)
    if problems:
        where = lines or {}
        problems.sort(key=lambda p: _line(where, p[0]) or 0)
        raise ConfigError("\n".join(f"{_where(where, key)}: {key} {message}" for key, message in problems))
