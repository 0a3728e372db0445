"""One process: FastAPI with the REST routes and the Gradio studio mounted at ``/``."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import gradio as gr
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Mount

from stori.render.midi_limits import MAX_MIDI_BYTES
from stori.ui import rest, studio
from stori.ui.callbacks import Callbacks
from stori.ui.layout import CSS, build_blocks
from stori.ui.workspace import Workspace

CONCURRENCY = 2  # songs composed at once: one per core of a small machine (see studio.SLOTS)
QUEUE_SIZE = 64
# System fonts only: the page needs nothing from the network (a Space or a laptop offline look the same).
THEME = gr.themes.Soft(primary_hue="orange", secondary_hue="slate",
                       font=["ui-sans-serif", "system-ui", "Segoe UI", "Helvetica Neue", "Arial", "sans-serif"],
                       font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"])


def default_root() -> Path:
    return Path(os.environ.get("STORI_STUDIO_DIR") or Path(tempfile.gettempdir()) / "stori-studio")


def create_app(root: str | Path | None = None) -> FastAPI:
    """Build the app; the default engine is warmed (its model loaded) once, here, before serving.

    Gradio serves no folder of the studio (``blocked_paths``): pages get copies in its upload folder
    (:func:`stori.ui.callbacks.publish`). Gradio checks that a file sent to an endpoint was uploaded
    only once its Blocks count as launched, which ``mount_gradio_app`` does not set; it is set here,
    and the humanize callback checks again itself (:func:`stori.ui.callbacks.uploaded`).
    """
    ws = Workspace(root or default_root())
    studio.warm_up()
    demo = build_blocks(Callbacks(ws)).queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    app = FastAPI(title="Stori", description="Emotion-aware, section-aware MIDI composer")
    app.include_router(rest.router(ws, rest.TaskBoard(workers=CONCURRENCY)))
    app.add_exception_handler(RequestValidationError, rest.validation_error)
    app = gr.mount_gradio_app(app, demo, path="/", blocked_paths=[str(ws.root)], max_file_size=MAX_MIDI_BYTES,
                              theme=THEME, css=CSS, footer_links=["api"])
    demo.has_launched = True
    for mounted in app.routes:  # Gradio's own routes answer a malformed call in one line too, without echoing it
        if isinstance(mounted, Mount) and isinstance(mounted.app, FastAPI):
            mounted.app.add_exception_handler(RequestValidationError, rest.validation_error)
            mounted.app.add_exception_handler(StarletteHTTPException, rest.unreadable_body)
    app.add_middleware(rest.BodyLimit)
    return app


def serve(root: str | Path | None = None) -> None:
    """Run the studio on ``GRADIO_SERVER_NAME``:``GRADIO_SERVER_PORT`` (default 127.0.0.1:7860)."""
    import uvicorn

    host = os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    uvicorn.run(create_app(root), host=host, port=port, log_level="warning")
