"""Record the README's sample outputs by running them: the seed command and the Python example.

    python benchmarks/readme_examples.py [--model PATH]

Writes benchmarks/results/readme_examples.json; `benchmarks/summarize.py` puts it in the README,
so the outputs shown there are what the commands print.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "Officials said the bridge would reopen on Monday. The delay has been a fiasco."
CLI_LINES = 14  # the excerpt shown: the first lines of the table


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", help="model directory (default: the bundled model)")
    args = p.parse_args()
    extra = ["--model", args.model] if args.model else []
    out = subprocess.run([sys.executable, "-m", "stanceclf.cli", "analyze", "seeds/belarus_pardons.txt", *extra],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout.splitlines()
    from stanceclf import ClaimClassifier

    clf = ClaimClassifier.from_pretrained(args.model)
    doc = clf(EXAMPLE)
    python = [f"{c.label} {round(c.confidence, 2)} {c.text} {[(s.text, s.resolved, s.type) for s in c.sources]}"
              for c in doc.claims]
    result = {"model": args.model or "bundled", "cli": [*out[:CLI_LINES], "...", *out[-2:]], "python": python}
    path = ROOT / "benchmarks" / "results" / "readme_examples.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print("\n".join(result["cli"] + [""] + python))
    return 0


if __name__ == "__main__":
    sys.exit(main())
