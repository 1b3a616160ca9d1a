"""The `greet` task of examples/hello: reads its inputs as JSON on stdin and
prints its result as one `ORK_OUTPUT:` line; every other line is a log."""
import json
import sys


def main() -> None:
    inputs: dict[str, object] = json.load(sys.stdin)
    name = str(inputs["name"])
    times = int(str(inputs["times"]))
    message = " ".join(["hello"] * times) + ", " + name + str(inputs["punctuation"])
    print(f"greeting {name} {times} times")
    print("ORK_OUTPUT:" + json.dumps({"message": message, "length": len(message)}))


if __name__ == "__main__":
    main()
