#!/usr/bin/env python3
"""Checks that docs/cheatsheet.md names every public entity of the header.

The public names are read from include/proxy_protocol.hpp itself, so the check
follows the header as it grows:

  * every namespace-level function, type, variable and alias in namespace
    proxy_protocol and its nested namespaces (tlv_type::alpn, ...);
  * the enumerators of every public enum (errc::v1_bad_port, ...);
  * public member functions, data members, nested types and static constants
    of public classes and structs (header::source, ip_address::v4, ...);
  * the PROXY_PROTOCOL_* macros a user may read or define.

Left out: namespace detail, private and protected members, constructors,
operators, friends, member type aliases, and anything outside the namespace.
Names are written as in C++ without the leading proxy_protocol::.

A name counts as documented when it is written in backticks in the first
column of a table row of the cheatsheet, e.g. | `ip_address::v4` | ... |.
Call arguments and template arguments may follow the name: `parse(input)`.
The check fails on public names missing from the cheatsheet and on
cheatsheet names that the header no longer has, and says which ones.

  docs/check_cheatsheet.py                     check (exit 1 on a difference)
  docs/check_cheatsheet.py --list              print the public names
  docs/check_cheatsheet.py --self-test         test the extractor on a sample
  docs/check_cheatsheet.py --compare-with-clang clang++
                                               the extractor agrees with clang's AST
"""
import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = "proxy_protocol"

_TOKEN = re.compile(r"::|->|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||\+\+|--|[A-Za-z_]\w*|\d[\w.']*|\S")
_ACCESS = {"public", "private", "protected"}
_SPECIFIERS = {"const", "constexpr", "noexcept", "override", "final", "volatile", "mutable", "&", "&&"}


def _in_number(out):
    """True when the characters just written end a numeric literal so far."""
    j = len(out)
    while j > 0 and (out[j - 1].isalnum() or out[j - 1] in "_'"):
        j -= 1
    return j < len(out) and out[j].isdigit()


def strip_source(text):
    """Removes comments, string and character literals and preprocessor lines."""
    out = []
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c == "#":
            while i < n and text[i] != "\n":  # preprocessor line, with continuations
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    i += 1
                i += 1
            continue
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if c == "'" and _in_number(out):
            out.append(c)  # a digit separator: 0x584F'5250
            i += 1
            continue
        if c in "\"'":
            quote = c
            i += 1
            while i < n and text[i] != quote:
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append('""' if quote == '"' else "0")
            at_line_start = False
            continue
        out.append(c)
        if c == "\n":
            at_line_start = True
        elif not c.isspace():
            at_line_start = False
        i += 1
    return "".join(out)


def _drop_prefixes(tokens):
    """Drops template<...> heads, [[attributes]] and __attribute__((...))."""
    result = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t == "template" and i + 1 < len(tokens) and tokens[i + 1] == "<":
            depth, i = 0, i + 1
            while i < len(tokens):
                depth += {"<": 1, ">": -1, ">>": -2}.get(tokens[i], 0)
                i += 1
                if depth <= 0:
                    break
            continue
        if t == "[" and i + 1 < len(tokens) and tokens[i + 1] == "[":
            while i < len(tokens) and not (tokens[i] == "]" and i + 1 < len(tokens) and tokens[i + 1] == "]"):
                i += 1
            i += 2
            continue
        if t == "__attribute__":
            depth, i = 0, i + 1
            while i < len(tokens):
                depth += {"(": 1, ")": -1}.get(tokens[i], 0)
                i += 1
                if depth == 0:
                    break
            continue
        result.append(t)
        i += 1
    return result


def _qualified_name_before(tokens, index):
    """The (possibly qualified) identifier that ends at tokens[index - 1]."""
    parts = []
    j = index - 1
    while j >= 0 and re.fullmatch(r"[A-Za-z_]\w*", tokens[j]):
        parts.insert(0, tokens[j])
        if j >= 1 and tokens[j - 1] == "::":
            j -= 2
        else:
            break
    return parts


def _declared_name(tokens, class_name):
    """Name declared by one declaration (tokens up to ';' or '{'), or None."""
    tokens = _drop_prefixes(tokens)
    if not tokens or tokens[0] in {"friend", "static_assert", "using", "typedef", "return"}:
        return None
    if "operator" in tokens:
        paren = tokens.index("(") if "(" in tokens else len(tokens)
        if "operator" in tokens[:paren + 1]:
            return None
    # The first top-level '(' or '=' / '{' / '[' / ':' (bit-field) decides the kind.
    depth = 0
    for k, t in enumerate(tokens):
        if t == "<":
            depth += 1
        elif t == ">":
            depth = max(0, depth - 1)
        elif t == ">>":
            depth = max(0, depth - 2)
        elif depth == 0 and t in {"(", "=", "{", "[", ";"}:
            parts = _qualified_name_before(tokens, k)
            if not parts:
                return None
            if t == "(" and (parts[-1] == class_name or tokens[k - 2:k - 1] == ["~"]):
                return None  # constructor or destructor
            if tokens[0] == "concept":
                return parts, "concept"
            if tokens[0] in ("class", "struct", "union", "enum"):
                return parts, "type"  # forward declaration
            return parts, "function" if t == "(" else "variable"
    parts = _qualified_name_before(tokens, len(tokens))
    if len(tokens) >= 2 and parts:
        return parts, "type" if tokens[0] in ("class", "struct", "union", "enum") else "variable"
    return None


def public_names(header_text):
    """Public names of namespace proxy_protocol, without the namespace prefix."""
    names = {}

    def add(qualified, kind):
        key = "::".join(qualified)
        if kind == "type" or key not in names:  # a definition wins over a forward declaration
            names[key] = kind

    # Macros: PROXY_PROTOCOL_* defined or tested, except the include guard and DETAIL ones.
    for macro in re.findall(r"\b(PROXY_PROTOCOL_[A-Z0-9_]+)\b", "\n".join(
            line for line in header_text.splitlines() if line.lstrip().startswith("#"))):
        if "_DETAIL_" not in macro and macro != "PROXY_PROTOCOL_HPP":
            names.setdefault(macro, "macro")

    tokens = _TOKEN.findall(strip_source(header_text))
    # Scope: [kind, name, visible, access]; kinds: file, namespace, class, enum, block.
    stack = [["file", None, False, "public"]]
    declaration = []
    paren_depth = 0
    i = 0

    def path():
        return [s[1] for s in stack if s[0] in {"namespace", "class", "enum"}][1:]  # drop proxy_protocol

    while i < len(tokens):
        t = tokens[i]
        scope = stack[-1]
        kind = scope[0]
        if kind == "block":
            if t == "{":
                stack.append(["block", None, False, None])
            elif t == "}":
                stack.pop()
            i += 1
            continue
        if kind == "enum":
            if t == "}":
                stack.pop()
                declaration = []
            elif t == ",":
                declaration = []
            elif not declaration and re.fullmatch(r"[A-Za-z_]\w*", t):
                declaration = [t]
                if scope[2]:
                    add(path() + [t], "enumerator")
            else:
                declaration.append(t)
            i += 1
            continue
        if t == "(":
            paren_depth += 1
        elif t == ")":
            paren_depth -= 1
        if paren_depth > 0:
            declaration.append(t)
            i += 1
            continue
        if kind == "class" and t in _ACCESS and i + 1 < len(tokens) and tokens[i + 1] == ":" and not declaration:
            scope[3] = t
            i += 2
            continue
        visible = scope[2] and (kind != "class" or scope[3] == "public")
        if t == "}":
            stack.pop()
            declaration = []
            i += 1
            continue
        if t == ";":
            head = _drop_prefixes(declaration)
            if head[:1] == ["using"] and "=" in head and kind == "namespace":
                declared = [head[1]], "type alias"  # member aliases are left out
            else:
                declared = _declared_name(declaration, scope[1] if kind == "class" else None)
            if declared and visible and kind in {"namespace", "class"}:
                add(path() + declared[0], ("member " if kind == "class" else "") + declared[1])
            declaration = []
            i += 1
            continue
        if t == "{":
            head = _drop_prefixes(declaration)
            if head[:1] == ["namespace"] or (head[:1] == ["inline"] and head[1:2] == ["namespace"]):
                name = head[-1]
                stack.append(["namespace", name, (scope[2] or name == NAMESPACE and kind == "file")
                              and name != "detail", None])
            elif "enum" in head and "(" not in head and "=" not in head:
                rest = head[head.index("enum") + 1:]
                rest = rest[1:] if rest[:1] in (["class"], ["struct"]) else rest
                name = rest[0] if rest and re.fullmatch(r"[A-Za-z_]\w*", rest[0]) else None
                if name and visible:
                    add(path() + [name], "type")
                stack.append(["enum", name, visible and name is not None, None])
            elif any(x in head for x in ("class", "struct", "union")) and "(" not in head and "=" not in head:
                keyword = next(x for x in head if x in ("class", "struct", "union"))
                rest = head[head.index(keyword) + 1:]
                name = rest[0] if rest else None
                if name is None or not re.fullmatch(r"[A-Za-z_]\w*", name) or (rest[1:2] and rest[1] == "<"):
                    stack.append(["block", None, False, None])  # specialization or anonymous
                else:
                    if visible:
                        add(path() + [name], "type")
                    stack.append(["class", name, visible, "private" if keyword == "class" else "public"])
            else:
                declared = _declared_name(declaration, scope[1] if kind == "class" else None)
                if declared and visible and kind in {"namespace", "class"}:
                    add(path() + declared[0], ("member " if kind == "class" else "") + declared[1])
                stack.append(["block", None, False, None])
            declaration = []
            i += 1
            continue
        declaration.append(t)
        i += 1
    return names


def clang_public_names(header_path, clang):
    """The same names as public_names() (macros aside), from clang's AST."""
    import json
    import subprocess
    dump = subprocess.run([clang, "-std=c++20", "-fsyntax-only", "-x", "c++", "-Xclang", "-ast-dump=json",
                           "-Xclang", f"-ast-dump-filter={NAMESPACE}", str(header_path)],
                          check=True, capture_output=True, text=True).stdout
    names = {}
    decoder = json.JSONDecoder()

    def visit(node, prefix, class_tag=None):
        access = "private" if class_tag == "class" else "public"
        for child in node.get("inner", []):
            kind = child.get("kind")
            if kind == "AccessSpecDecl":
                access = child.get("access")
                continue
            if child.get("isImplicit") or (class_tag and access != "public"):
                continue
            name = child.get("name")
            if not name or name.startswith("operator") or "~" in name or (class_tag and name == prefix[-1]):
                continue  # operators, destructors, constructors (also constructor templates)
            if kind == "NamespaceDecl":
                if name != "detail":
                    visit(child, prefix + [name])
            elif kind in ("FunctionDecl", "FunctionTemplateDecl", "VarDecl", "CXXMethodDecl", "FieldDecl",
                          "TypeAliasDecl", "TypedefDecl", "ConceptDecl"):
                if kind in ("TypeAliasDecl", "TypedefDecl") and class_tag:
                    continue  # member type aliases are left out
                if kind == "CXXMethodDecl" and not class_tag:
                    continue  # out-of-class definition of a member
                names.setdefault("::".join(prefix + [name]), kind)
            elif kind == "CXXRecordDecl" and child.get("completeDefinition"):
                names.setdefault("::".join(prefix + [name]), kind)
                visit(child, prefix + [name], child.get("tagUsed"))
            elif kind == "EnumDecl":
                names.setdefault("::".join(prefix + [name]), kind)
                for constant in child.get("inner", []):
                    if constant.get("kind") == "EnumConstantDecl":
                        names.setdefault("::".join(prefix + [name, constant["name"]]), "EnumConstantDecl")

    position = 0
    while True:
        while position < len(dump) and dump[position].isspace():
            position += 1
        if position >= len(dump):
            break
        node, position = decoder.raw_decode(dump, position)
        if node.get("kind") == "NamespaceDecl" and node.get("name") == NAMESPACE:
            visit(node, [])
    return names


def compare_with_clang(header_path, clang):
    ours = {n for n in public_names(header_path.read_text(encoding="utf-8")) if not n.startswith("PROXY_PROTOCOL_")}
    theirs = set(clang_public_names(header_path, clang))
    if ours == theirs:
        print(f"check_cheatsheet: the extractor and {clang} agree on {len(ours)} public names")
        return 0
    print(f"check_cheatsheet: the extractor disagrees with {clang}'s AST; fix check_cheatsheet.py")
    for name in sorted(theirs - ours):
        print(f"  only clang sees: {name}")
    for name in sorted(ours - theirs):
        print(f"  only the extractor sees: {name}")
    return 1


_CELL_NAME = re.compile(r"`([^`]+)`")


def documented_names(cheatsheet_text):
    """Names in backticks in the first column of the cheatsheet's table rows."""
    documented = {}
    for number, line in enumerate(cheatsheet_text.splitlines(), 1):
        stripped = line.strip()
        if not stripped.startswith("|") or re.fullmatch(r"\|[\s:|-]*\|?", stripped):
            continue
        first_cell = stripped[1:].split("|", 1)[0]
        for span in _CELL_NAME.findall(first_cell):
            name = re.split(r"[\s(<{]", span.strip(), maxsplit=1)[0]
            name = name.removeprefix(NAMESPACE + "::")
            if name:
                documented.setdefault(name, number)
    return documented


def compare(public, documented):
    """(missing, stale): public names not documented, documented names not public."""
    missing = sorted(set(public) - set(documented))
    stale = sorted(set(documented) - set(public))
    return missing, stale


def check(header_path, cheatsheet_path):
    public = public_names(header_path.read_text(encoding="utf-8"))
    documented = documented_names(cheatsheet_path.read_text(encoding="utf-8"))
    missing, stale = compare(public, documented)
    if not missing and not stale:
        print(f"check_cheatsheet: all {len(public)} public names of {header_path.name} are in {cheatsheet_path.name}")
        return 0
    if missing:
        print(f"check_cheatsheet: {len(missing)} public name(s) of {header_path.name} missing from "
              f"{cheatsheet_path}; add a table row for each:")
        for name in missing:
            print(f"  | `{name}` | {public[name]} | ... |")
    if stale:
        print(f"check_cheatsheet: {len(stale)} name(s) in {cheatsheet_path} that {header_path.name} "
              f"does not declare publicly (renamed, removed or misspelt?):")
        for name in stale:
            print(f"  line {documented[name]}: `{name}`")
    return 1


SAMPLE_HEADER = r'''
#ifndef SAMPLE_HPP
#define SAMPLE_HPP
#define PROXY_PROTOCOL_VERSION_MAJOR 1
#define PROXY_PROTOCOL_DETAIL_FAST 1
#if !defined(PROXY_PROTOCOL_NO_THING)
#include <x>
#endif
namespace other { inline void not_ours() {} }
namespace proxy_protocol {
/// comment with a { brace and a "quote
enum class color : unsigned char { red = 1, green /* } */, blue = 0x3 };
namespace detail { inline constexpr unsigned long separated = 0x584F'5250u + 1'000; }
namespace tlv_type {
inline constexpr int alpn = 0x01;
}
namespace detail {
struct hidden { int x; };
inline int helper() { return 1; }
}
inline constexpr std::array<int, 3> signature = {1, 2, 3};
using byte_span = std::span<const std::byte>;
class widget {
 public:
  static constexpr std::size_t max_size = 15;
  constexpr widget() noexcept = default;
  constexpr explicit widget(int v) noexcept : v_(v) {}
  [[nodiscard]] static constexpr widget make(std::array<int, 2> a) noexcept { return widget{a[0]}; }
  [[nodiscard]] constexpr int value() const noexcept { if (v_) { return "}" [0]; } return '{'; }
  constexpr explicit operator bool() const noexcept { return v_ != 0; }
  friend constexpr bool operator==(const widget&, const widget&) noexcept = default;
  class iterator {
   public:
    using value_type = int;
    constexpr iterator& operator++() noexcept { return *this; }
    [[nodiscard]] int index() const noexcept;
   private:
    int i_ = 0;
  };
  enum class mode : int { fast, slow };
  constexpr std::to_chars_result to_chars(char* first, char* last) const noexcept;
 private:
  int v_ = 0;
  [[nodiscard]] int secret() const noexcept { return v_; }
};
constexpr std::to_chars_result widget::to_chars(char* first, char* last) const noexcept { return {first, {}}; }
struct options {
  std::size_t limit = 65535;
  bool strict = true;
  widget w{};
  [[nodiscard]] constexpr bool is_strict() const noexcept { return strict; }
};
template <class CharT, class Traits>
std::basic_ostream<CharT, Traits>& operator<<(std::basic_ostream<CharT, Traits>& os, const widget& w) { return os; }
template <class T>
[[nodiscard]] constexpr T twice(T value) noexcept { auto f = [&](int x) { return x; }; return value + value; }
__attribute__((target("sse4.2"))) inline int hardware() noexcept { return 0; }
[[nodiscard]] inline int parse(std::string_view s, const options& o = {}) noexcept;
[[nodiscard]] inline int parse(std::span<const std::byte> s, const options& o = {}) noexcept { return 0; }
}  // namespace proxy_protocol
template <>
struct std::is_error_code_enum<proxy_protocol::color> : std::true_type {};
#endif
'''

SAMPLE_EXPECTED = {
    "PROXY_PROTOCOL_VERSION_MAJOR", "PROXY_PROTOCOL_NO_THING",
    "color", "color::red", "color::green", "color::blue",
    "tlv_type::alpn", "signature", "byte_span",
    "widget", "widget::max_size", "widget::make", "widget::value", "widget::iterator",
    "widget::iterator::index", "widget::mode", "widget::mode::fast", "widget::mode::slow", "widget::to_chars",
    "options", "options::limit", "options::strict", "options::w", "options::is_strict",
    "twice", "hardware", "parse",
}


def self_test():
    failures = 0
    got = set(public_names(SAMPLE_HEADER.replace("#define SAMPLE_HPP", "#define PROXY_PROTOCOL_HPP")))
    if got != SAMPLE_EXPECTED:
        print("self-test: extractor found unexpected names:", sorted(got - SAMPLE_EXPECTED))
        print("self-test: extractor missed names:", sorted(SAMPLE_EXPECTED - got))
        failures += 1
    cheatsheet = """
| Name | What |
|------|------|
| `widget::make(a)`, `widget::value()` | two in one cell |
| `proxy_protocol::options` | prefix allowed |
| `gone` | stale |
Text with `color` outside a table does not count.
"""
    documented = documented_names(cheatsheet)
    missing, stale = compare({"widget::make": "", "widget::value": "", "options": "", "color": ""}, documented)
    if missing != ["color"] or stale != ["gone"]:
        print(f"self-test: compare gave missing={missing} stale={stale}, expected ['color'] and ['gone']")
        failures += 1
    print("self-test:", "FAILED" if failures else "passed")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--header", type=Path, default=ROOT / "include" / "proxy_protocol.hpp")
    parser.add_argument("--cheatsheet", type=Path, default=ROOT / "docs" / "cheatsheet.md")
    parser.add_argument("--list", action="store_true", help="print the header's public names and exit")
    parser.add_argument("--self-test", action="store_true", help="test the extractor on a built-in sample")
    parser.add_argument("--compare-with-clang", metavar="CLANG", help="check the extractor against clang's AST")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    if args.compare_with_clang:
        return compare_with_clang(args.header, args.compare_with_clang)
    if args.list:
        for name, kind in sorted(public_names(args.header.read_text(encoding="utf-8")).items()):
            print(f"{name}\t{kind}")
        return 0
    return check(args.header, args.cheatsheet)


if __name__ == "__main__":
    sys.exit(main())
