"""Django settings: one file, environment variables with working defaults (SQLite, DEBUG on).

Placeholder until the workbench lands; the workbench work owns this file.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ.get("KESU_SECRET_KEY", "dev-only-not-secret")
DEBUG = os.environ.get("KESU_DEBUG", "1") == "1"
INSTALLED_APPS: list[str] = ["django.contrib.contenttypes", "django.contrib.auth"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "kesu.sqlite3")}}
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
LANGUAGE_CODE = "zh-hans"
