"""``themecoder serve PROJECT``: the coding app in a web browser."""

from __future__ import annotations

import click

from themecoder.cli.root import cli, project_argument, resolve_project


@cli.command()
@project_argument
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but this machine (127.0.0.1) needs "
                   "--token.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--token", default=None,
              help="Secret every coder's URL must carry (…/?token=TOKEN), at least 16 "
                   "characters. Required with a --host other than 127.0.0.1.")
def serve(project: str | None, host: str, port: int, token: str | None) -> None:
    """Serve PROJECT's coding app to web browsers (each tab asks for the coder's name).

    Every tab is its own coding session on the same project: the same claims, so two
    coders never get the same answer, and every decision saved at once. Ctrl+C stops.
    """
    from themecoder.store import Project, redact
    from themecoder.tui.serve import check_exposure, page_url
    from themecoder.tui.serve import serve as run_server

    location = resolve_project(project)
    check_exposure(host, token)
    Project.open(location).close()  # a bad project fails here, before anyone connects
    url = page_url(host, port, token)
    run_server(location, host=host, port=port, token=token,
               announce=f"Serving {redact(location)} on {url}\nOpen that address in a web "
                        "browser; each tab asks for the coder's name. Ctrl+C stops.")
