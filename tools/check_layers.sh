#!/usr/bin/env bash
# Fails when a module under src/ includes a module its README does not allow.
#
# Every folder src/<m>/ is a module with a README.md whose paragraph starting
# "**May include:**" says what it may include:
#   - other modules, named in backticks (`common`, `columnar`); `a` … `b` names the layer chain
#     from a to b; a module may always include itself. Whatever follows a sentence starting
#     "Not", "Never" or "Nothing" is what it may not include, and is not read as allowed;
#   - "the public headers": any "sluice/..." header. Without it, a module may include only the
#     public headers that it or an allowed module owns: a README owns the include/sluice/ headers
#     it names (in a table row, or a paragraph, that mentions include/sluice/);
#   - third-party libraries by name (simdjson, libpq, librdkafka, Boost.Beast, nlohmann-json, RE2,
#     utf8proc);
#     "simdjson (in `a.cc` only)" restricts one to those files. Besides, whatever the READMEs say,
#     libpq stays in src/connectors/postgres/, librdkafka in src/connectors/kafka/,
#     Boost.Beast in src/server/ (DESIGN.md), RE2 and utf8proc in src/sql/.
# The layer chain is README.md's "common ← columnar ← …" line; a README that allows a module
# above its own, a missing README or a missing "**May include:**" paragraph is an error.
# It also checks that each module's CMakeLists.txt links (directly or through what it links)
# only sluice libraries of modules its README allows.
# Prints file:line and the include for each violation; exits 1 if there is any.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 - "$@" <<'PY'
import os
import re
import sys

errors = []


def error(where, what):
    errors.append(f"{where}: {what}")


# The layer chain, lowest first, from README.md.
chain = None
with open("README.md", encoding="utf-8") as f:
    for line in f:
        m = re.search(r"`(common(?:\s*←\s*[a-z/]+)+)`", line)
        if m:
            chain = [name.strip() for name in m.group(1).split("←")]
            break
if chain is None:
    print("check_layers: README.md has no layer chain line (`common ← columnar ← …`)")
    sys.exit(1)
chain = [c for name in chain for c in name.split("/")]  # "server/tools/python" -> three

modules = sorted(d for d in os.listdir("src") if os.path.isdir(os.path.join("src", d)))
for m in modules:
    if m not in chain:
        error(f"src/{m}", f"module '{m}' is not in README.md's layer chain")


def rank(m):
    return chain.index(m) if m in chain else len(chain)


# Third-party headers: library name as READMEs write it -> include pattern.
THIRD_PARTY = {
    "simdjson": re.compile(r"^simdjson(\.h|/)"),
    "libpq": re.compile(r"^(libpq-fe\.h|libpq/|postgresql/)"),
    "librdkafka": re.compile(r"^librdkafka/"),
    # Asio comes with Beast (Beast is built on it): both are "Boost.Beast" here.
    "Boost.Beast": re.compile(r"^boost/(beast|asio)"),
    "nlohmann-json": re.compile(r"^nlohmann/"),
    "RE2": re.compile(r"^re2/"),
    "utf8proc": re.compile(r"^utf8proc\.h"),
}
# Where a library may be included at all, whatever a README says (DESIGN.md, connectors README).
THIRD_PARTY_HOME = {
    "libpq": "src/connectors/postgres/",
    "librdkafka": "src/connectors/kafka/",
    "Boost.Beast": "src/server/",
    "RE2": "src/sql/",
    "utf8proc": "src/sql/",
}


class Rules:
    def __init__(self):
        self.modules = set()
        self.public_headers = False
        self.libraries = {}  # name -> None (whole module) or set of file names
        self.owned_headers = set()


rules = {}
owner = {}  # public header name -> module
for m in modules:
    readme = f"src/{m}/README.md"
    if not os.path.isfile(readme):
        error(f"src/{m}", "module has no README.md")
        continue
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    r = Rules()
    # Public headers the module owns.
    units = [line for line in text.splitlines() if line.startswith("|")]
    units += [p for p in re.split(r"\n\s*\n", text) if not p.lstrip().startswith("|")]
    for unit in units:
        if "include/sluice/" not in unit:
            continue
        if unit.startswith("|"):
            unit = unit.split("|")[1]  # the file column only
        for token in re.findall(r"`([^`]+\.h)`", unit):
            name = token.split("include/sluice/")[-1]
            if "/" in name:
                continue
            if name in owner and owner[name] != m:
                error(readme, f"public header sluice/{name} is also owned by src/{owner[name]}")
            owner[name] = m
            r.owned_headers.add(name)
    # The May-include paragraph.
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("**May include:**")), None)
    if start is None:
        error(readme, "no '**May include:**' paragraph")
        continue
    rules[m] = r
    para = []
    for line in lines[start:]:
        if not line.strip():
            break
        para.append(line)
    allowed = " ".join(para)[len("**May include:**"):]
    allowed = re.split(r"\b(?:Not|Never|Nothing)\b", allowed)[0]
    for a, b in re.findall(r"`([a-z]+)`\s*(?:…|\.\.\.)\s*`([a-z]+)`", allowed):
        if a in chain and b in chain:
            r.modules.update(chain[chain.index(a) : chain.index(b) + 1])
        else:
            error(readme, f"range `{a}` … `{b}` is not part of the layer chain")
    for token in re.findall(r"`([a-z]+)`", allowed):
        if token in chain:
            r.modules.add(token)
    r.public_headers = "the public headers" in allowed
    for lib in THIRD_PARTY:
        m_lib = re.search(re.escape(lib) + r"(?:\s*\(in ([^)]*) only\))?", allowed)
        if m_lib:
            files = re.findall(r"`([^`]+)`", m_lib.group(1) or "")
            r.libraries[lib] = set(files) if files else None
    for other in sorted(r.modules):
        if rank(other) >= rank(m) and other != m:
            error(readme, f"allows `{other}`, which is not below `{m}` in the layer chain")
    r.modules.add(m)

include_re = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')
for m in modules:
    r = rules.get(m)
    if r is None:
        continue
    for root, _, files in os.walk(f"src/{m}"):
        for name in sorted(files):
            if not name.endswith((".h", ".cc")):
                continue
            path = os.path.join(root, name)
            with open(path, encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    inc = include_re.match(line)
                    if not inc:
                        continue
                    kind, target = inc.groups()
                    where = f"{path}:{number}"
                    shown = f"#include {kind}{target}{'>' if kind == '<' else chr(34)}"
                    if kind == "<":
                        for lib, pattern in THIRD_PARTY.items():
                            if not pattern.match(target):
                                continue
                            home = THIRD_PARTY_HOME.get(lib)
                            if home and not path.startswith(home):
                                error(where, f"{shown}: {lib} is included only under {home}")
                            elif lib not in r.libraries:
                                error(where, f"{shown}: src/{m}/README.md does not allow {lib}")
                            elif r.libraries[lib] is not None and name not in r.libraries[lib]:
                                allowed_files = ", ".join(sorted(r.libraries[lib]))
                                error(where, f"{shown}: {lib} is allowed only in {allowed_files}")
                        continue
                    if "/" not in target:
                        continue  # a file beside this one
                    top = target.split("/")[0]
                    if top == "sluice":
                        header = target[len("sluice/") :]
                        if r.public_headers:
                            continue
                        header_owner = owner.get(header)
                        if header_owner is None:
                            error(where, f"{shown}: no module README owns it, and src/{m}/README.md does not allow the public headers")
                        elif header_owner not in r.modules:
                            error(where, f"{shown}: owned by src/{header_owner}, which src/{m}/README.md does not allow")
                        continue
                    if top not in modules:
                        error(where, f"{shown}: '{top}' is not a module")
                    elif top not in r.modules:
                        error(where, f"{shown}: src/{m}/README.md does not allow `{top}`")

# The libraries each module links: only allowed modules, directly or through what they link.
target_module = {"sluice": "db"}
target_module.update({f"sluice_{m}": m for m in modules})
links = {}
for m in modules:
    cmake = f"src/{m}/CMakeLists.txt"
    if not os.path.isfile(cmake):
        continue
    with open(cmake, encoding="utf-8") as f:
        text = f.read()
    links[m] = {}
    for call in re.finditer(r"target_link_libraries\s*\(([^)]*)\)", text, re.S):
        line = text.count("\n", 0, call.start()) + 1
        for word in call.group(1).split()[1:]:
            if word in target_module and target_module[word] != m:
                links[m].setdefault(target_module[word], f"{cmake}:{line}")


def closure(m, seen):
    for dep in links.get(m, {}):
        if dep not in seen:
            seen.add(dep)
            closure(dep, seen)
    return seen


for m in modules:
    if m not in rules or m not in links:
        continue
    for dep in sorted(closure(m, set())):
        if dep not in rules[m].modules:
            via = links[m].get(dep)
            if via:
                error(via, f"links {'sluice' if dep == 'db' else 'sluice_' + dep}, which src/{m}/README.md does not allow")
            else:
                first = next(d for d in links[m] if dep in closure(d, {d}))
                error(links[m][first], f"links sluice_{first}, which brings in `{dep}` (not allowed by src/{m}/README.md)")

if errors:
    for e in errors:
        print(e)
    print(f"layer check failed: {len(errors)} problem(s)")
    sys.exit(1)
print(f"layer check: {len(modules)} modules ok")
PY
