"""Reflex configuration; every value comes from printer_app.config (environment / .env)."""

import reflex as rx
from reflex_components_radix.plugin import RadixThemesPlugin

from printer_app.config import get_settings

settings = get_settings()
# The address the browser reaches the backend at (event WebSocket /_event, /_upload, /ping), written into the built
# frontend. Production behind a proxy (deploy/): the public APP_URL, where nginx spreads /_event and the other backend
# routes over the backends. Unset: Reflex's default, the backend port of this machine (`make run` / `make dev`).
backend_address = {"api_url": settings.app_url} if settings.app_url else {}

config = rx.Config(
    app_name="printer_app",
    db_url=settings.db_url,
    redis_url=settings.redis_url,
    state_manager_mode="redis" if settings.redis_url else "disk",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=[RadixThemesPlugin(theme=rx.theme(accent_color="blue", radius="medium"))],
    default_color_mode="light",
    # The event socket and CORS answer only these origins (none configured: only the address the app is opened at,
    # which printer_app/api/guard.py checks for every socket and state-changing request anyway).
    cors_allowed_origins=settings.origins,
    **backend_address,
)
