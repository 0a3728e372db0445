"""Stori studio: ``python app.py`` (honours GRADIO_SERVER_NAME and GRADIO_SERVER_PORT)."""
from stori.ui.server import serve

if __name__ == "__main__":
    serve()
