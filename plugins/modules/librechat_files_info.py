#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: librechat_files_info
version_added: 0.2.0
short_description: Read several files of a LibreChat host in one module run
description:
  - Returns, for each path in O(paths), what M(ansible.builtin.stat) says of it (existence, type, mode, owner,
    group, modification time, size) and, with O(content=true), its content, base64-encoded as
    M(ansible.builtin.slurp) returns it.
  - One module run on the host whatever the number of files, where C(stat) and C(slurp) take one each. The
    collection's LibreChat action plugins (M(librechat.bedrock.librechat_config),
    M(librechat.bedrock.librechat_config_info)) and the librechat_config role read C(librechat.yaml), C(.env),
    C(package.json) and the compose files through it.
  - A missing path is reported as such, not as a failure. A file that exists but cannot be read is reported with
    its RV(files[].error), so the caller decides.
  - The content of C(.env) is secret. Register the result of a task that reads it with C(no_log).
  - This module is read-only and supports check mode.
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
extends_documentation_fragment:
  - librechat.bedrock.attributes
  - librechat.bedrock.attributes.info_module
options:
  paths:
    description: The files to read, as absolute paths on the host, in the order the result lists them.
    type: list
    elements: path
    required: true
  content:
    description:
      - Whether to return each regular file's content as well as its stat.
      - The content of a symbolic link's target is returned, as M(ansible.builtin.slurp) does.
    type: bool
    default: true
seealso:
  - module: ansible.builtin.stat
  - module: ansible.builtin.slurp
  - module: librechat.bedrock.librechat_config_info
"""

EXAMPLES = r"""
- name: Read .env and package.json in one module run
  librechat.bedrock.librechat_files_info:
    paths:
      - /opt/librechat/.env
      - /opt/librechat/package.json
  register: librechat_files
  no_log: true

- name: Find which compose files exist, without reading them
  librechat.bedrock.librechat_files_info:
    paths:
      - /opt/librechat/docker-compose.yml
      - /opt/librechat/docker-compose.override.yml
    content: false
  register: compose_files
"""

RETURN = r"""
files:
  description: One entry per path of O(paths), in that order.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The path as given.
      type: str
      returned: always
    exists:
      description: Whether something exists at the path (a broken symbolic link does not).
      type: bool
      returned: always
    isreg:
      description: Whether the path is a regular file, or a symbolic link to one.
      type: bool
      returned: always
    isdir:
      description: Whether the path is a directory, or a symbolic link to one.
      type: bool
      returned: always
    islnk:
      description: Whether the path itself is a symbolic link.
      type: bool
      returned: always
    mode:
      description: The permission bits of the path itself (not of a link's target), in octal, as
        M(ansible.builtin.stat) gives them.
      type: str
      returned: when RV(files[].exists)
      sample: "0600"
    uid:
      description: The owner's user ID.
      type: int
      returned: when RV(files[].exists)
    gid:
      description: The group ID.
      type: int
      returned: when RV(files[].exists)
    pw_name:
      description: The owner's user name, empty when the host has no name for RV(files[].uid).
      type: str
      returned: when RV(files[].exists)
    gr_name:
      description: The group's name, empty when the host has no name for RV(files[].gid).
      type: str
      returned: when RV(files[].exists)
    mtime:
      description: The time of the last modification, in seconds since the epoch.
      type: float
      returned: when RV(files[].exists)
    size:
      description: The size in bytes.
      type: int
      returned: when RV(files[].exists)
    content:
      description: The file's content, base64-encoded.
      type: str
      returned: when O(content=true) and the path is a readable regular file
    error:
      description: Why the file could not be read (its content, or its stat).
      type: str
      returned: when reading failed
"""

import base64
import grp
import os
import pwd
import stat

from ansible.module_utils.basic import AnsibleModule


def describe(path, want_content):
    """What stat says of `path`, and its content (base64) when asked for and readable."""
    entry = {"path": path, "exists": False, "isreg": False, "isdir": False, "islnk": False}
    try:
        own = os.lstat(path)
    except FileNotFoundError:
        return entry
    except OSError as e:
        entry["error"] = e.strerror or str(e)
        return entry
    entry["islnk"] = stat.S_ISLNK(own.st_mode)
    try:
        target = os.stat(path) if entry["islnk"] else own
    except OSError:
        # a broken link: nothing a reader could open is there
        return entry
    entry.update(
        exists=True,
        isreg=stat.S_ISREG(target.st_mode),
        isdir=stat.S_ISDIR(target.st_mode),
        # ansible.builtin.stat's mode: of the path itself (follow is false there by default)
        mode=f"{stat.S_IMODE(own.st_mode):04o}",
        uid=own.st_uid,
        gid=own.st_gid,
        pw_name=name_of(pwd.getpwuid, own.st_uid, "pw_name"),
        gr_name=name_of(grp.getgrgid, own.st_gid, "gr_name"),
        mtime=own.st_mtime,
        size=target.st_size,
    )
    if want_content and entry["isreg"]:
        try:
            with open(path, "rb") as handle:
                entry["content"] = base64.b64encode(handle.read()).decode("ascii")
        except OSError as e:
            entry["error"] = e.strerror or str(e)
    return entry


def name_of(lookup, number, attribute):
    try:
        return getattr(lookup(number), attribute)
    except KeyError:
        return ""


def main():
    module = AnsibleModule(
        argument_spec=dict(
            paths=dict(type="list", elements="path", required=True),
            content=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    files = [describe(path, module.params["content"]) for path in module.params["paths"]]
    module.exit_json(changed=False, files=files)


if __name__ == "__main__":
    main()
