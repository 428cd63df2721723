"""moto's `/moto-api/data.json` (the local stack's SMS log, SPEC §6) answering while the stack is busy.

moto builds that answer in two passes over every object of every service: it first keeps each
attribute that serialises, then serialises them all again. Between the two, another thread of the
same server can change a kept attribute (the stream worker writing an S3 object into a bucket's
keys, say), and the second pass then raises (`TypeError: Object of type FakeKey is not JSON
serializable`, or a dict that changed size): a 500. `make test` saw it twice, once from the README
walk-through's curl and once from the browser tests' SMS reads, each time on a stack other tests
had been using. Installed here, the answer is built again when that happens: a second pass over
the same objects a moment later sees them whole.

Only the local stack installs it (`install()`); the app's own tests run on moto as published.
"""

from __future__ import annotations

import functools
from typing import Any

DATA_JSON = "{0}/moto-api/data.json"
ATTEMPTS = 5
_MARK = "_safe_connection_rebuilt"


def install() -> None:
    """Make this process's moto server build data.json again when a concurrent change breaks it
    (idempotent; before the server's first request to moto's own API, which reads the routes)."""
    from moto.moto_api._internal import urls

    original = urls.url_paths[DATA_JSON]
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def model_data(*args: Any, **kwargs: Any) -> Any:
        for _ in range(ATTEMPTS - 1):
            try:
                return original(*args, **kwargs)
            except (TypeError, RuntimeError):  # changed by another request mid-answer: again
                continue
        return original(*args, **kwargs)

    setattr(model_data, _MARK, True)
    urls.url_paths[DATA_JSON] = model_data
