"""The ``when:`` expression language: tokenizer, parser, type checker and vectorised compiler."""

from rules.expr.ast import Binary, Call, Field, In, Literal, Node, Today, Unary
from rules.expr.compiler import Columns, Compiled, compile_expression
from rules.expr.parser import parse

__all__ = [
    "Binary",
    "Call",
    "Columns",
    "Compiled",
    "Field",
    "In",
    "Literal",
    "Node",
    "Today",
    "Unary",
    "compile_expression",
    "parse",
]
