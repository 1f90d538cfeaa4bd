"""Recursive-descent parser: expression text to an AST, or a :class:`RuleError` with an offset.

Precedence, loosest first: ``or``, ``and``, ``not``, comparison / ``in`` (not chained),
``+ -``, ``* /``, unary ``-``, then literals, fields, calls and parentheses.
"""

from __future__ import annotations

from collections.abc import Callable

from rules.catalogue import BOOL, DATE, DAYS, NULL, NUMBER, STRING
from rules.errors import RuleError
from rules.expr.ast import Binary, Call, Field, In, Literal, Node, Today, Unary
from rules.expr.tokens import Token, tokenize

COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})
MAX_DEPTH = 60
MAX_TREE_DEPTH = 200
_LITERAL_TYPES = {"number": NUMBER, "duration": DAYS, "date": DATE, "string": STRING}


def parse(text: str) -> Node:
    """Parse one expression."""
    if not text.strip():
        raise RuleError("empty expression", offset=0)
    node = _Parser(tokenize(text)).parse()
    if _tree_depth(node) > MAX_TREE_DEPTH:
        raise RuleError("expression is too long; split it into several rules", offset=0)
    return node


def _tree_depth(root: Node) -> int:
    """Depth of the tree, walked without recursion (long ``a + a + ...`` chains are deep)."""
    deepest = 0
    stack: list[tuple[Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        children: tuple[Node, ...] = ()
        if isinstance(node, Binary):
            children = (node.left, node.right)
        elif isinstance(node, Unary | In):
            children = (node.operand,)
        elif isinstance(node, Call):
            children = node.args
        stack.extend((child, depth + 1) for child in children)
    return deepest


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, *texts: str) -> bool:
        return self.token.kind in ("op", "keyword") and self.token.text in texts

    def expect(self, text: str) -> Token:
        if not self.at(text):
            raise RuleError(f"expected '{text}' but found {_describe(self.token)}", offset=self.token.pos)
        return self.advance()

    def parse(self) -> Node:
        node = self.or_()
        if self.token.kind != "end":
            raise RuleError(f"unexpected {_describe(self.token)}", offset=self.token.pos)
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.at("or"):
            pos = self.advance().pos
            node = Binary("or", node, self.and_(), pos)
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.at("and"):
            pos = self.advance().pos
            node = Binary("and", node, self.not_(), pos)
        return node

    def not_(self) -> Node:
        if self.at("not"):
            pos = self.advance().pos
            return Unary("not", self.nested(self.not_), pos)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.additive()
        if self.at(*COMPARISONS):
            op = self.advance()
            node: Node = Binary(op.text, left, self.additive(), op.pos)
        elif self.at("in") or (self.at("not") and self._next_is("in")):
            node = self.membership(left)
        else:
            return left
        if self.at(*COMPARISONS, "in"):
            raise RuleError("comparisons cannot be chained; join them with 'and'", offset=self.token.pos)
        return node

    def _next_is(self, text: str) -> bool:
        following = self.tokens[self.index + 1]
        return following.kind == "keyword" and following.text == text

    def membership(self, operand: Node) -> Node:
        negated = self.at("not")
        if negated:
            self.advance()
        pos = self.expect("in").pos
        self.expect("[")
        items: list[Literal] = []
        while not self.at("]"):
            items.append(self.list_item())
            if not self.at("]"):
                self.expect(",")
        self.advance()
        if not items:
            raise RuleError("'in' needs at least one value", offset=pos)
        return In(operand, tuple(items), negated, pos)

    def list_item(self) -> Literal:
        negative = self.at("-")
        if negative:
            self.advance()
        item = self.primary()
        if not isinstance(item, Literal) or (negative and not isinstance(item.value, float)):
            raise RuleError("a list holds only constant values", offset=item.pos)
        if negative:
            return Literal(-float(item.value or 0), item.type, item.pos)
        return item

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.at("+", "-"):
            op = self.advance()
            node = Binary(op.text, node, self.multiplicative(), op.pos)
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while self.at("*", "/"):
            op = self.advance()
            node = Binary(op.text, node, self.unary(), op.pos)
        return node

    def unary(self) -> Node:
        if self.at("-"):
            pos = self.advance().pos
            return Unary("-", self.nested(self.unary), pos)
        return self.primary()

    def nested(self, rule: Callable[[], Node]) -> Node:
        """Run a sub-rule one level deeper, refusing absurd nesting instead of overflowing."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RuleError("expression nests too deeply", offset=self.token.pos)
        try:
            return rule()
        finally:
            self.depth -= 1

    def primary(self) -> Node:
        token = self.advance()
        if token.kind in _LITERAL_TYPES:
            return Literal(token.value, _LITERAL_TYPES[token.kind], token.pos)
        if token.kind == "keyword" and token.text in ("true", "false", "null", "today"):
            return _keyword_literal(token)
        if token.kind == "name":
            if self.at("("):
                return self.call(token)
            return Field(token.text, token.pos)
        if token.kind == "op" and token.text == "(":
            node = self.nested(self.or_)
            self.expect(")")
            return node
        raise RuleError(f"expected a value but found {_describe(token)}", offset=token.pos)

    def call(self, name: Token) -> Node:
        self.advance()
        args: list[Node] = []
        while not self.at(")"):
            args.append(self.nested(self.or_))
            if not self.at(")"):
                self.expect(",")
        self.advance()
        return Call(name.text, tuple(args), name.pos)


def _keyword_literal(token: Token) -> Node:
    if token.text == "today":
        return Today(token.pos)
    if token.text == "null":
        return Literal(None, NULL, token.pos)
    return Literal(token.text == "true", BOOL, token.pos)


def _describe(token: Token) -> str:
    return "the end of the expression" if token.kind == "end" else f"'{token.text}'"
