"""Two plain, typed Python functions: ork reads their annotations to check the
workflow and calls them with keyword arguments. Nothing here imports ork."""


def add(a: int, b: int = 10) -> int:
    """Adds two numbers; `b` is left to its default by the workflow."""
    total = a + b
    print(f"{a} + {b} = {total}")
    return total


def greet(name: str, add_math: int, shout: bool = False) -> str:
    """Greets `name`; `add_math` is the whole output of the upstream task of that name."""
    message = f"Hello, {name}! The sum is {add_math}."
    return message.upper() if shout else message
