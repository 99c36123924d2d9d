"""Service functions take two or more ids by keyword, so a swapped pair is an error."""

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "app" / "services"


def positional_ids(function: ast.FunctionDef) -> list[str]:
    positional = function.args.posonlyargs + function.args.args
    return [a.arg for a in positional if a.arg.endswith("_id") or a.arg == "org"]


def test_no_service_function_takes_two_ids_by_position():
    offenders = [
        f"{path.name}:{node.name}({', '.join(positional_ids(node))})"
        for path in sorted(SERVICES.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef) and len(positional_ids(node)) >= 2
    ]
    assert offenders == []


def test_the_check_sees_a_positional_pair():
    function = ast.parse("def f(session, coalition_id, organization_id): ...").body[0]
    keyword = ast.parse("def f(session, *, coalition_id, organization_id): ...").body[0]
    assert positional_ids(function) == ["coalition_id", "organization_id"]
    assert positional_ids(keyword) == []
