"""What the sample scripts share: Azure resource ids and references, and writing one sample.

`make-door-samples.py` and `make-azure-samples.py` import it (their folder is on Python's path when
they run); each keeps its own subscription id, so the samples stay byte for byte what they were.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def ids(subscription):
    """The `rid(rg, kind, name, *child)` of one subscription: a resource id, with child resources
    given as (type, name) pairs, e.g. rid("rg", "Microsoft.Network/virtualNetworks", "v", "subnets", "s")."""

    def rid(rg, kind, name, *child):
        text = f"{subscription}/resourceGroups/{rg}/providers/{kind}/{name}"
        for i in range(0, len(child), 2):
            text += f"/{child[i]}/{child[i + 1]}"
        return text

    return rid


def ref(i):
    """A reference to a resource by id, as Azure writes one: {"id": ...}."""
    return {"id": i}


def write(name, document):
    """Writes one sample beside the scripts; with names on the command line, only those (the rest
    are made, not written)."""
    if sys.argv[1:] and name not in sys.argv[1:]:
        return
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(document, f, indent=2)
        f.write("\n")


def write_text(name, text):
    """Writes one text file (a flows CSV) beside the scripts, on the same terms as `write`."""
    if sys.argv[1:] and name not in sys.argv[1:]:
        return
    with open(os.path.join(HERE, name), "w") as f:
        f.write(text)
