#!/usr/bin/env python3
"""Dump the wire shape of hangups' compiled schema as tab-separated tables.

Usage:
    pip install hangups==0.4.18
    python3 proto/schema/dump_hangups_schema.py [path/to/hangouts_pb2.py]

Writes, next to this script:
    hangups-<version>.tsv        message, number, name, label, type
    hangups-<version>-enums.tsv  enum, number, name

Types use the vocabulary of hangups-proto-codegen's schema module: a scalar
kind (Int32, Uint64, Bool, Str, Bytes, ...), `enum:<full name>` or
`message:<full name>`. The module is loaded from its file so the `hangups`
package itself (whose import fails on some Python versions) is never
imported. The Rust test proto/codegen/tests/wire_shape_matches_hangups.rs
reads the tables; it needs no Python.
"""

import importlib.metadata
import importlib.util
import os
import sys

from google.protobuf.descriptor import FieldDescriptor as FD

SCALARS = {
    FD.TYPE_INT32: "Int32",
    FD.TYPE_INT64: "Int64",
    FD.TYPE_UINT32: "Uint32",
    FD.TYPE_UINT64: "Uint64",
    FD.TYPE_SINT32: "Sint32",
    FD.TYPE_SINT64: "Sint64",
    FD.TYPE_BOOL: "Bool",
    FD.TYPE_FIXED64: "Fixed64",
    FD.TYPE_SFIXED64: "Sfixed64",
    FD.TYPE_FIXED32: "Fixed32",
    FD.TYPE_SFIXED32: "Sfixed32",
    FD.TYPE_DOUBLE: "Double",
    FD.TYPE_FLOAT: "Float",
    FD.TYPE_STRING: "Str",
    FD.TYPE_BYTES: "Bytes",
}
LABELS = {
    FD.LABEL_OPTIONAL: "optional",
    FD.LABEL_REQUIRED: "required",
    FD.LABEL_REPEATED: "repeated",
}


def load_pb2(path):
    if path is None:
        spec = importlib.util.find_spec("hangups")
        if spec is None or not spec.submodule_search_locations:
            sys.exit("hangups is not installed: pip install hangups==0.4.18")
        path = os.path.join(spec.submodule_search_locations[0], "hangouts_pb2.py")
    spec = importlib.util.spec_from_file_location("hangouts_pb2", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DESCRIPTOR


def local_name(full_name, package):
    if package and full_name.startswith(package + "."):
        return full_name[len(package) + 1:]
    return full_name


def type_of(field, package):
    if field.type == FD.TYPE_ENUM:
        return "enum:" + local_name(field.enum_type.full_name, package)
    if field.type in (FD.TYPE_MESSAGE, FD.TYPE_GROUP):
        return "message:" + local_name(field.message_type.full_name, package)
    return SCALARS[field.type]


def reachable(file_desc):
    """Every message reachable from the top-level messages (nested types and
    field types, transitively)."""
    seen = {}
    stack = list(file_desc.message_types_by_name.values())
    while stack:
        m = stack.pop()
        if m.full_name in seen:
            continue
        seen[m.full_name] = m
        stack.extend(m.nested_types)
        stack.extend(f.message_type for f in m.fields if f.message_type is not None)
    return seen


def reachable_enums(file_desc, messages):
    enums = {e.full_name: e for e in file_desc.enum_types_by_name.values()}
    for m in messages.values():
        for e in m.enum_types:
            enums[e.full_name] = e
        for f in m.fields:
            if f.enum_type is not None:
                enums[f.enum_type.full_name] = f.enum_type
    return enums


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else None
    fd = load_pb2(path)
    pkg = fd.package
    try:
        version = importlib.metadata.version("hangups")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    here = os.path.dirname(os.path.abspath(__file__))
    header = (
        f"# Wire shape of hangups {version}'s compiled hangouts.proto"
        f" ({fd.syntax}), dumped by dump_hangups_schema.py. Do not edit.\n"
    )

    messages = reachable(fd)
    rows = []
    for full, m in messages.items():
        for f in m.fields:
            rows.append(
                (local_name(full, pkg), f.number, f.name, LABELS[f.label], type_of(f, pkg))
            )
    rows.sort(key=lambda r: (r[0], r[1]))
    with open(os.path.join(here, f"hangups-{version}.tsv"), "w", encoding="utf-8") as out:
        out.write(header)
        out.write("# message\tnumber\tname\tlabel\ttype\n")
        for r in rows:
            out.write("\t".join(str(c) for c in r) + "\n")

    enum_rows = []
    for full, e in reachable_enums(fd, messages).items():
        for v in e.values:
            enum_rows.append((local_name(full, pkg), v.number, v.name))
    enum_rows.sort(key=lambda r: (r[0], r[1], r[2]))
    with open(os.path.join(here, f"hangups-{version}-enums.tsv"), "w", encoding="utf-8") as out:
        out.write(header)
        out.write("# enum\tnumber\tname\n")
        for r in enum_rows:
            out.write("\t".join(str(c) for c in r) + "\n")
    print(f"{len(messages)} messages, {len(rows)} fields, {len(enum_rows)} enum values")


if __name__ == "__main__":
    main()
