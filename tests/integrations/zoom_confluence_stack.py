"""The end-to-end stack for Zoom and Confluence: `vendor_stack` with the zoom and
confluence services, the Zoom fake and the Confluence fake (space ENG with a
"Postmortems" parent page)."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from tests.fakes.confluence_api import ConfluenceFake
from tests.fakes.zoom_api import ZoomFake
from tests.integrations.vendor_stack import VendorStack, vendor_stack

CONFIG = """
integrations:
  confluence:
    space: ENG
    parent_page: Postmortems
"""


@dataclass
class Vendors(VendorStack):
    zoom: ZoomFake
    wiki: ConfluenceFake
    parent_id: str


@contextlib.contextmanager
def open_stack(amqp_uri: str, folder: Path) -> Iterator[Vendors]:
    zoom, wiki = ZoomFake().start(), ConfluenceFake().start()
    try:
        wiki.add_space("ENG", "Engineering")
        parent_id = wiki.add_page("ENG", "Postmortems")
        with vendor_stack(folder, amqp_uri, ("zoom", "confluence"),
                          {**zoom.env(), **wiki.env()}, CONFIG) as world:
            vendors = Vendors(**vars(world), zoom=zoom, wiki=wiki, parent_id=parent_id)
            vendors.wait_ready("zoom", enabled=True)
            vendors.wait_ready("confluence", enabled=True)
            yield vendors
    finally:
        zoom.stop()
        wiki.stop()
