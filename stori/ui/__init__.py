"""The studio: the Gradio UI, its named API endpoints and REST, over the library (see server.create_app)."""
