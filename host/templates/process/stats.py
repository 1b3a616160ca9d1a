"""The `stats` task of {{project}}: a plain Python program (not the python
executor). Reads {"values": [...]} on stdin and prints its result as one
ORK_OUTPUT: line; every other printed line is a log line of the task."""
import json
import sys


def main() -> None:
    inputs: dict[str, list[int]] = json.load(sys.stdin)
    values = inputs["values"]
    print(f"computing statistics of {len(values)} values")
    stats = {
        "count": len(values),
        "mean": sum(values) / len(values) if values else 0.0,
        "largest": max(values, default=0),
    }
    print("ORK_OUTPUT:" + json.dumps(stats))


if __name__ == "__main__":
    main()
