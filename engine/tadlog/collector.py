"""Python's cyclic garbage collector, paused while a knowledge base is built.

Parsing, evaluating and caching a knowledge base make hundreds of thousands of objects that
live as long as the knowledge base, and almost no cyclic garbage. Each generation-2 pass of the
collector walks all of them: measured on the 10,000-edge knowledge base of issue 9, collection
was 1.7 s of a 4.8 s first ask. So building pauses the collector (restoring whatever state the
host had), and processes that keep one knowledge base for their life (the CLI, the service)
also freeze what was built (``gc.freeze``), so later passes skip it. A library host's own
objects are only frozen when it asks for that with :func:`freeze_after_building`.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

_settings = {"freeze": False, "depth": 0, "was_enabled": True}
_lock = threading.Lock()  # the service builds in threads: one pause while any build runs


def freeze_after_building(on: bool = True) -> None:
    """Move what each build made into the permanent generation when it ends (long-lived processes)."""
    _settings["freeze"] = on


@contextmanager
def paused():
    """The collector off for the block (nested blocks are one pause); its state restored after."""
    with _lock:
        if _settings["depth"] == 0:
            _settings["was_enabled"] = gc.isenabled()
            gc.disable()
        _settings["depth"] += 1
    try:
        yield
    finally:
        with _lock:
            _settings["depth"] -= 1
            if _settings["depth"] == 0:
                if _settings["freeze"]:
                    gc.freeze()
                else:
                    _promote()
                if _settings["was_enabled"]:
                    gc.enable()


PROMOTE_AT = 50_000  # objects made in one pause: a knowledge base's worth, not one small answer's


def _promote() -> None:
    """Move what a large build made straight to the oldest generation.

    Made with the collector paused, it all waits in the youngest generation, and the first
    allocation after the pause collects it there, then again one generation up, before it
    settles: after a cached load at 100x (340,000 objects) that was 0.2 s of the first
    question, walking objects that all stay alive. ``freeze`` then ``unfreeze`` moves every
    tracked object to the oldest generation without walking any; the host's own young objects
    go with them (cyclic garbage among them waits for a full collection). Never while the host
    keeps frozen objects of its own, which ``unfreeze`` would release."""
    if gc.get_count()[0] >= PROMOTE_AT and gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
