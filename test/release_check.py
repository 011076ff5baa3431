#!/usr/bin/python3
"""Checks a release before it ships: META.json against PGXN's Meta Spec 1.0.0 (the keys it
requires, the values it allows), and that the version agrees everywhere it is written:
META.json, snowflake.control, debian/changelog and the SQL script names. With --archive, also
the PGXN archive that `make dist` wrote: every file under one snowflake-VERSION/ directory, the
same META.json, the files it names present. Prints one line per check, then a count; exits 1
if any failed.

    test/release_check.py [--archive dist/snowflake-1.1.0.zip]
"""

import argparse
import json
import pathlib
import re
import sys
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Meta Spec 1.0.0 (https://pgxn.org/meta/spec.txt): the keys a distribution must have, the
# others it may have (and custom ones starting with x_), and the same for each extension it
# provides.
REQUIRED_KEYS = {"name", "version", "abstract", "maintainer", "license", "provides", "meta-spec"}
OPTIONAL_KEYS = {"description", "generated_by", "tags", "no_index", "prereqs", "release_status",
                 "resources"}
EXTENSION_REQUIRED_KEYS = {"file", "version"}
EXTENSION_OPTIONAL_KEYS = {"abstract", "docfile"}
RELEASE_STATUSES = {"stable", "testing", "unstable"}
# Semantic Versioning 2.0.0, which the spec requires of every version.
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                    r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$")

results = []


def check(name, passed, detail=""):
    """Records and prints one check."""
    results.append(passed)
    print(f"{'ok' if passed else 'FAIL'} - {name}{'' if passed else ': ' + detail}")


def unknown_keys(keys, allowed):
    """The keys that are neither allowed nor custom (x_...)."""
    return sorted(k for k in keys if k not in allowed and not k.lower().startswith("x_"))


def check_meta(meta, exists):
    """META.json follows Meta Spec 1.0.0; exists(path) says whether the release has a file."""
    missing = sorted(REQUIRED_KEYS - meta.keys())
    check("META.json has every key PGXN requires", not missing, f"missing {missing}")
    extra = unknown_keys(meta.keys(), REQUIRED_KEYS | OPTIONAL_KEYS)
    check("META.json has no key the spec does not define", not extra, f"unknown {extra}")
    check("META.json version is a semantic version", bool(SEMVER.match(meta.get("version", ""))),
          repr(meta.get("version")))
    check("META.json release_status is stable, testing or unstable",
          meta.get("release_status", "stable") in RELEASE_STATUSES, repr(meta.get("release_status")))
    check("META.json meta-spec is version 1.0.0",
          meta.get("meta-spec", {}).get("version") == "1.0.0", repr(meta.get("meta-spec")))
    provides = meta.get("provides", {})
    check("META.json provides the extension snowflake", "snowflake" in provides,
          f"provides {sorted(provides)}")
    for name, extension in provides.items():
        missing = sorted(EXTENSION_REQUIRED_KEYS - extension.keys())
        check(f"provides.{name} has file and version", not missing, f"missing {missing}")
        extra = unknown_keys(extension.keys(), EXTENSION_REQUIRED_KEYS | EXTENSION_OPTIONAL_KEYS)
        check(f"provides.{name} has no key the spec does not define", not extra, f"unknown {extra}")
        check(f"provides.{name}.version is the distribution's",
              extension.get("version") == meta.get("version"),
              f"{extension.get('version')} is not {meta.get('version')}")
        for key in ("file", "docfile"):
            if key in extension:
                check(f"provides.{name}.{key} is in the release", exists(extension[key]),
                      f"no file {extension[key]}")


def script_versions(names):
    """The versions in the names of the extension's SQL scripts: install scripts
    (snowflake--V.sql) and update scripts (snowflake--FROM--TO.sql)."""
    installs, updates = set(), set()
    for name in names:
        match = re.fullmatch(r"snowflake--([^-]+)(?:--([^-]+))?\.sql", name)
        if match and match.group(2):
            updates.add((match.group(1), match.group(2)))
        elif match:
            installs.add(match.group(1))
    return installs, updates


def reachable_versions(installs, updates):
    """Every version CREATE EXTENSION can reach: an install script, then update scripts."""
    reached = set(installs)
    while True:
        more = {to for start, to in updates if start in reached} - reached
        if not more:
            return reached
        reached |= more


def version_key(version):
    """Orders versions numerically (1.10 after 1.9)."""
    return [int(part) for part in version.split(".")]


def check_versions(meta):
    """The distribution's version agrees with the control file, the changelog and the scripts."""
    control = (ROOT / "snowflake.control").read_text()
    default_version = re.search(r"^default_version\s*=\s*'([^']*)'", control, re.M).group(1)
    version = meta.get("version", "")
    check("META.json version is default_version of snowflake.control plus a patch number",
          version.rsplit(".", 1)[0] == default_version,
          f"{version} does not release extension version {default_version}")
    changelog = (ROOT / "debian/changelog").read_text().splitlines()[0]
    debian_version = re.search(r"\(([^)]*)\)", changelog).group(1)
    check("debian/changelog's newest entry packages this version",
          debian_version.rsplit("-", 1)[0] == version, f"{debian_version} is not {version}-N")
    installs, updates = script_versions(p.name for p in (ROOT / "sql").glob("snowflake--*.sql"))
    newest = max(installs | {to for _, to in updates}, key=version_key)
    check("the newest SQL script is for default_version", newest == default_version,
          f"sql/ has scripts up to {newest}, snowflake.control says {default_version}")
    check("CREATE EXTENSION can reach default_version from an install script",
          default_version in reachable_versions(installs, updates),
          f"no chain of sql/snowflake--*.sql scripts ends at {default_version}")


def check_archive(path, meta):
    """The PGXN archive holds this release under one directory and the same META.json."""
    prefix = f"{meta['name']}-{meta['version']}/"
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        outside = [n for n in names if not n.startswith(prefix)]
        check(f"every file of {path} is under {prefix}", not outside, f"{outside[:5]}")
        check(f"{path} holds this META.json",
              prefix + "META.json" in names and
              json.loads(archive.read(prefix + "META.json")) == meta, "absent or different")
        check_meta(meta, lambda file: prefix + file in names)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", help="the zip file that make dist wrote")
    arguments = parser.parse_args()
    meta = json.loads((ROOT / "META.json").read_text())
    check_meta(meta, lambda file: (ROOT / file).is_file())
    check_versions(meta)
    if arguments.archive:
        check_archive(arguments.archive, meta)
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
