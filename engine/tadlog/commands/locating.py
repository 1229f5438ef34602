"""``tadlog locate``: find a sentence in the seed texts, print a statement for it."""
from __future__ import annotations

import json

from .knowledge import announce, choose_kb, sources_for, with_kb


def cmd_locate(args) -> int:
    from ..curate.locate import locate, statement_text
    from ..kb import load

    choice = choose_kb(args.kb, "tadlog locate")
    announce(choice, args)
    model = load(choice.root).model
    text = " ".join(args.text)
    places = locate(model, sources_for(args.sources), text)
    exact = [p for p in places if p.passage.exact]
    shown = places if args.all else places[:1]
    if args.json:
        print(json.dumps(with_kb({"schema": "tadlog.locate/1", "text": text, "found": bool(exact),
                                  "places": [dict(p.to_json(), statement=statement_text(model, p) if p.passage.exact
                                                  else None) for p in shown]}, choice),
                         indent=2, ensure_ascii=False))
        return 0 if exact else 1
    if not places:
        print("not found, and no passage is alike")
        return 1
    if not exact:
        p = places[0].passage
        print(f"not found as written; the nearest passage is {places[0].source} ({p.file}), "
              f"section {places[0].section}, lines {p.first}-{p.last} ({p.score:.0%} alike):")
        print(f"  sought: {p.marked_sought}\n  source: {p.marked_found}")
        return 1
    if len(exact) > 1 and not args.all:
        print(f"found in {len(exact)} places (--all shows each); the first:")
    for place in shown:
        p = place.passage
        check = "quote verified" if place.verified else "quote NOT verified: check the line range"
        print(f"# {place.source} ({p.file}), section {place.section}, lines {p.first}-{p.last}; {check}")
        print(statement_text(model, place), end="")
    return 0
