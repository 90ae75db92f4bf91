"""The pictures the assistant sends, and how every channel gets them.

A response names a picture by its URL path on this server, in Rasa's `image` field:

    utter_ask_dimple_pattern:
      - text: "Where is it? ..."
        image: "/images/dimple-position.png"
        buttons: [...]

`PICTURES` maps that path to the PNG on disk (web/images/, drawn from the SVG next
to it by scripts/render_pictures.py) and to its alt text: a full description in
words, so that a person who cannot see the picture (a screen reader, the terminal
chat, Slack without a public address) loses nothing. The caption is the short line
Telegram shows under a photo.

`add_picture_routes` serves exactly these files at /images/<name> on the Rasa
server, whichever channel registers it first (one route, however many channels
are listed); any other name is a 404, so nothing else on disk can be read.

`pictures_first` puts a message's picture before its text and buttons: Rasa sends
the image after them, so the picture would come after the question it explains.
"""

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

IMAGES_DIR = Path(__file__).resolve().parent.parent / "web" / "images"
URL_PREFIX = "/images/"
# The files change only with a release; a day is long enough to spare phones the
# download and short enough for a corrected drawing to reach everyone.
CACHE_CONTROL = "public, max-age=86400"


@dataclass(frozen=True)
class Picture:
    path: Text  # the URL path on this server, as responses name it
    file: Path
    alt: Text  # everything the picture shows, in words
    caption: Text  # one short line, shown with the picture where a channel can

    @property
    def name(self) -> Text:
        return self.path[len(URL_PREFIX) :]


POSITION = Picture(
    path="/images/dimple-position.png",
    file=IMAGES_DIR / "dimple-position.png",
    alt=(
        "Five drawings of a lower back seen from behind, with the spine down the middle "
        "and the crease between the buttocks at the bottom. "
        "A, Low, in the middle: one small dimple in the middle, just above the top of the "
        "crease. "
        "B, Two, one each side: two dimples higher up, one on each side of the spine. "
        "C, Higher up, in the middle: one dimple in the middle, clearly above the crease. "
        "D, Off to one side: one dimple that is not on the middle line. "
        "E, More than one in the middle: two or more dimples on the middle line."
    ),
    caption="Where is the dimple? Pick the letter that looks most like it.",
)

DEPTH_SIZE = Picture(
    path="/images/dimple-depth-size.png",
    file=IMAGES_DIR / "dimple-depth-size.png",
    alt=(
        "Two questions in pictures. "
        "Can you see its bottom? A shallow dimple is a small dip where you can see the "
        "bottom. A deep dimple looks like a dark hole, and you can't see the bottom. "
        "Is it bigger than a pea? A pea is about 5 mm across. The drawing shows a pea "
        "between a dimple smaller than the pea and a dimple bigger than the pea, all at "
        "the same scale."
    ),
    caption="Can you see its bottom? Is it bigger than a pea (about 5 mm)?",
)

PICTURES: Dict[Text, Picture] = {picture.path: picture for picture in (POSITION, DEPTH_SIZE)}
BY_NAME: Dict[Text, Picture] = {picture.name: picture for picture in PICTURES.values()}


def picture_for(image: Any) -> Optional[Picture]:
    """The registered picture a message's `image` names (a path or a full URL), or None."""
    if not isinstance(image, str):
        return None
    for path, picture in PICTURES.items():
        if image == path or image.endswith(path):
            return picture
    return None


def alt_text_line(image: Any) -> Text:
    """How a text-only channel shows a picture."""
    picture = picture_for(image)
    if picture is None:
        return f"Image: {image}"
    return f"[Picture: {picture.alt}]"


def absolute_url(base_url: Optional[Text], image: Text) -> Text:
    """The picture's public address when the server has one; the path as given if not."""
    if not base_url or "://" in image:
        return image
    return base_url.rstrip("/") + "/" + image.lstrip("/")


def pictures_first(messages: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """Messages as a client should show them: a picture before the question it follows.

    Rasa's OutputChannel sends a response's text and buttons, then its image as a
    message of its own. A message that holds only an image is moved before the
    message just before it (the question of the same response).
    """
    ordered: List[Dict[Text, Any]] = []
    for message in messages:
        only_image = message.get("image") and not (
            message.get("text") or message.get("buttons") or message.get("custom")
        )
        if only_image and ordered and ordered[-1].get("text") and not ordered[-1].get("image"):
            ordered.insert(len(ordered) - 1, message)
        else:
            ordered.append(message)
    return ordered


def split_picture(message: Dict[Text, Any]) -> Optional[Text]:
    """Take a registered picture out of a response (`image` popped); None if it has none.

    Output channels send it first, then the rest of the response as Rasa would.
    """
    image = message.get("image")
    if picture_for(image) is None:
        return None
    return message.pop("image")


class PictureFirstOutput(OutputChannel):
    """Mixed into an output channel, before Rasa's: a response's registered picture is
    sent first (the channel's own `send_image_url`), then its text and buttons as Rasa
    sends them (Rasa puts the picture last, below the buttons)."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        image = split_picture(message)
        if image is not None:
            await self.send_image_url(recipient_id, image)
        await super().send_response(recipient_id, message)


def add_picture_routes(app: Sanic) -> None:
    """Serve the registered pictures at /images/<name>, once per app."""
    if getattr(app.ctx, "picture_routes", False):
        return
    app.ctx.picture_routes = True

    async def picture(_: Request, name: Text) -> HTTPResponse:
        found = BY_NAME.get(name)
        if found is None or not found.file.is_file():
            return response.json({"error": "no such picture"}, status=404)
        return await response.file(
            found.file,
            mime_type="image/png",
            headers={"Cache-Control": CACHE_CONTROL, "X-Content-Type-Options": "nosniff"},
        )

    app.add_route(picture, URL_PREFIX + "<name:str>", methods=["GET", "HEAD"], name="pictures")
    logger.debug("Pictures served at %s<name>.", URL_PREFIX)


class PicturesBlueprint(Blueprint):
    """A channel's blueprint that also serves the pictures (at the top level, not
    under the channel's /webhooks/<name>/ prefix, as the web chat adds its page)."""

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        super().register(app, options)
        add_picture_routes(app)
