"""Stori studio: ``python app.py [--share]`` (honours GRADIO_SERVER_NAME, GRADIO_SERVER_PORT and STORI_SHARE)."""
import argparse

from stori.ui.server import serve

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve the Stori studio (the page, its API and REST).")
    parser.add_argument("--share", action="store_true", default=None,
                        help="also serve it at a public Gradio share link (needs the network; or STORI_SHARE=1)")
    serve(share=parser.parse_args().share)
