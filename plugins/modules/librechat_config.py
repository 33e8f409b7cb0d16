#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: librechat_config
version_added: 0.1.0
short_description: Merge Bedrock settings into LibreChat's librechat.yaml and .env, validated before writing
description:
  - Sets C(endpoints.bedrock) in C(librechat.yaml) and the given keys in C(.env) on the host, keeping every other
    byte of both files, checks the result the way LibreChat will read it, and writes both only when both pass.
  - "Runs on the controller (an action plugin): both files are read from the host in one run of
    M(librechat.bedrock.librechat_files_info), merged and checked here, and written back through
    M(ansible.builtin.copy), atomically, with a backup, owner, group and mode. The host needs nothing but Python."
  - "What was read decides, without asking M(ansible.builtin.copy), a file whose content, octal mode, owner and
    group already are the wanted ones (it is not written), and, in check mode, a file whose content differs (it
    would be). A new file, a symbolic link, a symbolic mode or a differing owner, group or mode is left to copy's
    own check mode and write."
  - "C(librechat.yaml) is read as LibreChat reads it (js-yaml, YAML 1.2: C(yes) is a string, a duplicated key is
    an error) and only to find the C(endpoints.bedrock) block. Inside it, only the keys O(bedrock) sets are
    rendered and spliced in as text; every other key of the block keeps its text byte for byte (C(titleConvo: yes)
    stays C(yes)), as do comments, quoting, anchors, key order and blank lines elsewhere. A missing file,
    C(endpoints) or C(bedrock) is created."
  - A comment line inside the block (C(# librechat.bedrock manages:)) records the keys and the
    C(inferenceProfiles) entries this module wrote. A later run removes those it no longer sets, and keeps the
    C(inferenceProfiles) entries the user wrote for models O(bedrock) does not map (with a warning).
  - C(endpoints) or C(endpoints.bedrock) given as an alias (C(*name)) of a block elsewhere, or an anchor
    (C(&name)) defined in a key this module rewrites, is refused with the fix; a second C(bedrock) key is never
    written.
  - C(.env) is edited line by line. A key given in O(env) is rewritten in place (the first of several
    assignments; the others are removed so LibreChat reads the intended value) or appended; keys in
    O(env_remove), and keys this module set before that O(env) no longer has, are removed. A comment line
    naming the managed keys remembers them. C(ENDPOINTS), when it is a non-empty list, gets C(bedrock) added; empty
    or unset (every endpoint, for LibreChat) is left alone.
  - "Checks, on the whole result, before writing: C(librechat.yaml) as LibreChat judges it (js-yaml, then
    C(configSchema.strict()) of the pinned librechat-data-provider: a missing C(version), an unknown top-level key
    or endpoint, a bad enum, a duplicated key all fail); every C(inferenceProfiles) key is in C(models), exactly;
    every C(${VAR}) LibreChat resolves has a non-empty value in the resulting C(.env), and a C(${VAR}) anywhere
    else in the section (sent literally) fails for the keys O(bedrock) sets; every profile ARN is an application
    inference profile ARN in O(region); the credentials LibreChat will pick are usable (one key of the static pair
    alone fails); what O(librechat_version) would silently ignore fails. Warnings: C(availableRegions) without a
    mapped profile, C(BEDROCK_AWS_MODELS) replaced by C(models), C(AWS_ACCESS_KEY_ID) in C(.env) taken first by
    the SDK's default chain."
  - With O(mode=template), a C(.env) template without LibreChat's required keys (C(MONGO_URI), C(CREDS_KEY),
    C(CREDS_IV), C(JWT_SECRET), C(JWT_REFRESH_SECRET)) gets them carried over from the existing file, and is
    refused when there is none.
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
extends_documentation_fragment:
  - librechat.bedrock.librechat_files
  - librechat.bedrock.attributes
  - librechat.bedrock.attributes.action
  - librechat.bedrock.attributes.full
options:
  bedrock:
    description: The keys to set in C(endpoints.bedrock), such as C(models), C(inferenceProfiles),
      C(availableRegions), C(titleModel), C(guardrailConfig).
    type: dict
    required: true
  env:
    description: The C(.env) keys to set, and their values. Never logged.
    type: dict
    default: {}
  env_remove:
    description: C(.env) keys to remove, such as the variables of another authentication method.
    type: list
    elements: str
    default: []
  env_shown:
    description: C(.env) keys whose values the diff may show; every other value is masked.
    type: list
    elements: str
    default: []
  region:
    description: The region every profile ARN must be in.
    type: str
  version:
    description: The C(version) of a C(librechat.yaml) this module creates. Empty writes the one of the LibreChat
      release the bundled schema comes from (1.3.17 for v0.8.8-rc4).
    type: str
  mode:
    description:
      - V(merge) edits the files as described. V(template) replaces each whole file with O(config_template) and
        O(env_template), after the same checks.
    type: str
    choices: [merge, template]
    default: merge
  config_template:
    description: With O(mode=template), the whole new C(librechat.yaml).
    type: str
  env_template:
    description: With O(mode=template), the whole new C(.env). Never logged.
    type: str
  config_file_mode:
    description: The permissions of C(librechat.yaml).
    type: raw
    default: "0644"
  env_file_mode:
    description:
      - The permissions of C(.env), which holds every secret of the install. Empty keeps an existing file's mode
        less its world bits (dropped, with a warning), and makes a new file 0600.
      - With O(env_reader), a mode that would leave that user unable to read the file is refused before anything
        is written.
    type: raw
    default: "0600"
  env_reader:
    description:
      - The user LibreChat reads C(.env) as, whose read access is kept. Unset (or root), only the world bits are
        dropped.
      - As the file's owner it keeps (or gets, with an empty O(env_file_mode)) C(u+r); as a member of the file's
        group C(g+r). A new file it would not own is created with its group (O(env_reader.gid)), 0640. An existing
        file it could read only through the world bits or not at all, a O(group) it is not in for a new file, and
        an explicit O(env_file_mode) that would deny it are refused before anything is written, naming the user,
        where it came from, the file, its owner, group and mode, and the fix.
      - The librechat_config role finds it in the deployment (C(librechat_config_env_reader)).
    type: dict
    version_added: 0.2.0
    suboptions:
      uid:
        description: Its user ID.
        type: int
        required: true
      gid:
        description: Its primary group ID.
        type: int
        required: true
      groups:
        description: All its group IDs (supplementary groups).
        type: list
        elements: int
        default: []
      name:
        description: Its name, for messages.
        type: str
      source:
        description: Where it came from, for messages (such as C(the running container's process)).
        type: str
      writes:
        description: Whether it is also the user that writes the file (a new file is then its own).
        type: bool
        default: false
  env_file_environment:
    description:
      - "With C(.env) in the compose service's C(env_file), the environment docker compose gives the process
        (C(docker compose config)): C(.env) values as Compose reads them, which interpolates C($VAR) outside single
        quotes and reads C(#) as a comment only after whitespace, where dotenv does neither."
      - The checks judge these values for the keys this module leaves as they are (the values it writes read the
        same both ways), and the Bedrock keys the two readings disagree on are reported. Never logged.
    type: dict
    default: {}
    version_added: 0.2.0
  owner:
    description: The owner of both files (a name or an ID).
    type: str
  group:
    description:
      - The group of both files (a name or an ID).
      - Given as an ID, or the file's current group by name, it grants O(env_reader) read access when that user
        is in it.
    type: str
  backup:
    description: Keep a timestamped copy of a file before changing it.
    type: bool
    default: true
  backups_kept:
    description:
      - With O(backup=true), how many backups of each file to keep after a write (the newest); the others are
        removed, and the ones kept made 0600 (a backup of C(.env) holds the secrets it had).
      - Unset keeps every backup, with the mode of the file it copies. At least V(1) when set.
    type: int
  librechat_version:
    description:
      - The LibreChat release that reads the files, such as V(v0.8.6). Empty assumes the release the bundled
        schema comes from (v0.8.8-rc4).
      - What that release silently ignores is refused, naming the release and the fix. The C(models) and
        C(inferenceProfiles) mapping needs v0.8.5; C(BEDROCK_AWS_PROFILE), C(BEDROCK_AWS_BEARER_TOKEN) and
        C(${VAR}) in C(guardrailConfig) need v0.8.6.
    type: str
notes:
  - Supports check mode (nothing is written; C(changed) predicts a real run) and diff mode (C(librechat.yaml) as
    text, C(.env) with every value masked except those of O(env_shown)).
seealso:
  - module: librechat.bedrock.librechat_config_info
requirements:
  - PyYAML >= 6.0 on the controller, where the action plugin reads and writes the files
"""

EXAMPLES = r"""
- name: Map two models to their profiles in LibreChat
  librechat.bedrock.librechat_config:
    config_path: /opt/librechat/librechat.yaml
    env_path: /opt/librechat/.env
    region: us-east-1
    bedrock:
      models:
        - us.anthropic.claude-3-7-sonnet-20250219-v1:0
        - us.amazon.nova-lite-v1:0
      inferenceProfiles:
        us.anthropic.claude-3-7-sonnet-20250219-v1:0: "${BEDROCK_CLAUDE_37_PROFILE}"
    env:
      BEDROCK_AWS_DEFAULT_REGION: us-east-1
      BEDROCK_CLAUDE_37_PROFILE: arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456
    env_shown: [BEDROCK_AWS_DEFAULT_REGION, BEDROCK_CLAUDE_37_PROFILE]
  no_log: true
"""

RETURN = r"""
bedrock:
  description: The C(endpoints.bedrock) section after the merge.
  returned: success
  type: dict
config_changed:
  description: Whether C(librechat.yaml) changed (or would, in check mode).
  returned: success
  type: bool
env_changed:
  description: Whether C(.env) changed (or would, in check mode).
  returned: success
  type: bool
env_changed_keys:
  description: The C(.env) keys whose value changed, without their values.
  returned: success
  type: list
  elements: str
backup_files:
  description: The backups made.
  returned: success
  type: list
  elements: str
backups_removed:
  description: The older backups removed to keep O(backups_kept).
  returned: when a backup was made and O(backups_kept) is set
  type: list
  elements: str
warnings:
  description: What LibreChat accepts but probably does not do what was meant.
  returned: success
  type: list
  elements: str
current:
  description:
    - What M(librechat.bedrock.librechat_config_info) reports, with the same O(region), O(process_environment)
      and O(librechat_version), for the two files as this module read them, before any write. No secret value is
      in it.
    - Where neither file changed, it describes the files as they are, and a caller need not read them again (the
      verify role takes it in the site playbook).
  returned: success
  type: dict
  version_added: 0.2.0
"""
