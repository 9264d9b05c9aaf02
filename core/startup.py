"""What a fresh clone needs before it can serve pages, done (or refused) by the programs themselves.

Two build products are not in the repository: the compiled translation catalogues (``locale/*/*.mo``,
made from the ``.po`` files) and the collected static files with their manifest (``var/static``).
``manage.py serve`` and the test suite make the first whenever it is missing or older than its source;
``serve`` collects the static files whenever the manifest is missing or stale, and the WSGI module refuses
to start, with a Chinese message saying what to run, instead of answering every page with a 500.

Static files are collected (not served from the packages through WhiteNoise's finders) so that a page
names each file by its content hash: browsers on a slow intranet cache them for a year and still get
the new file the moment an upgrade changes it."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import polib
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

# collectstatic's default ignore patterns: files it does not copy are not expected in the manifest.
IGNORE_PATTERNS = ["CVS", ".*", "*~"]


def compile_stale_catalogues(report: Callable[[str], None] | None = None) -> int:
    """Compile every ``.po`` under LOCALE_PATHS whose ``.mo`` is missing or older; return how many.

    polib is pure Python (GNU gettext's msgfmt is not needed). The ``.mo`` is written to a temporary
    file and moved into place, so a server reading it never sees half a catalogue."""
    count = 0
    for root in (Path(p) for p in settings.LOCALE_PATHS):
        for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            catalogue = polib.pofile(str(po_path))
            fd, tmp = tempfile.mkstemp(dir=mo_path.parent, prefix=".tmp-", suffix=".mo")
            os.close(fd)
            try:
                catalogue.save_as_mofile(tmp)
                os.replace(tmp, mo_path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            count += 1
            if report:
                report(f"{po_path} → {mo_path.name}（{catalogue.percent_translated()}% 已翻译）")
    return count


def _manifest_storage_class() -> type[ManifestFilesMixin] | None:
    backend = import_string(settings.STORAGES["staticfiles"]["BACKEND"])
    return backend if issubclass(backend, ManifestFilesMixin) else None


def static_files_problem() -> str | None:
    """Why the collected static files cannot serve the pages, in Chinese; None when they can.

    Only the manifest storage (used whenever DEBUG and testing are off) needs collected files: a page
    that names a file missing from the manifest fails with a 500."""
    backend = _manifest_storage_class()
    if backend is None:
        return None
    from django.contrib.staticfiles.finders import get_finders

    manifest = Path(settings.STATIC_ROOT) / backend.manifest_name
    if not manifest.is_file():
        return f"尚未收集静态文件（没有 {manifest}）"
    try:
        paths = json.loads(manifest.read_text(encoding="utf-8"))["paths"]
    except (OSError, ValueError, KeyError):
        return f"静态文件清单 {manifest} 无法读取或已损坏"
    collected_at = manifest.stat().st_mtime
    seen: set[str] = set()
    for finder in get_finders():
        for path, storage in finder.list(IGNORE_PATTERNS):
            prefix = getattr(storage, "prefix", None)
            name = f"{prefix}/{path}" if prefix else path
            name = name.replace(os.sep, "/")
            if name in seen:  # collectstatic keeps the first file found under a name
                continue
            seen.add(name)
            if name not in paths:
                return f"静态文件 {name} 尚未收集"
            if os.stat(storage.path(path)).st_mtime > collected_at:
                return f"静态文件 {name} 在上次收集之后有更新"
    return None


def collect_static_if_needed(report: Callable[[str], None]) -> None:
    """Run collectstatic when the collected files are missing or stale; refuse (in Chinese) if that fails."""
    problem = static_files_problem()
    if problem is None:
        return
    from django.core.management import call_command

    report(f"{problem}，正在收集静态文件（collectstatic）……")
    try:
        call_command("collectstatic", interactive=False, verbosity=0)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"无法把静态文件收集到 {settings.STATIC_ROOT}：{exc}。请用对该目录有写权限的账号运行 "
            "“manage.py collectstatic --noinput”，或用 ANZHI_VAR_DIR 指定一个可写的目录。") from exc
    problem = static_files_problem()
    if problem is not None:
        raise ImproperlyConfigured(f"收集静态文件后仍有问题：{problem}。请运行 “manage.py collectstatic --noinput” 查看原因。")
    report("静态文件已收集。")


def refuse_without_static_files() -> None:
    """For servers that load the WSGI module themselves (waitress-serve, gunicorn …): start only when the
    static files are collected and current, instead of answering every page with a 500."""
    problem = static_files_problem()
    if problem is not None:
        raise ImproperlyConfigured(
            f"安治不能启动：{problem}。请先运行 “manage.py collectstatic --noinput”，"
            "或改用 “manage.py serve” 启动（它会自动收集）。")
