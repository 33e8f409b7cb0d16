# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The attributes every module of the collection declares (check mode, diff mode, idempotency), in the form
community.docker and community.general use: DOCUMENTATION describes them, a module sets `support` for each,
and INFO_MODULE does so for a module that changes nothing."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Returns what has changed (or, in C(check_mode), what would change) when run in diff mode.
  idempotent:
    description:
      - Run twice in a row outside check mode with the same arguments, the second run reports no change and
        makes no write.
      - This assumes that nothing else changed what the module manages in between.
"""

    # With the DOCUMENTATION fragment, for a module that changes state and supports all three in full.
    FULL = r"""
options: {}
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    support: full
"""

    # With the DOCUMENTATION fragment, for a module that changes nothing. A module's own `attributes` entries
    # override these key by key (ansible-core merges fragments under the module's documentation).
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
  idempotent:
    support: full
    details:
      - This action does not modify state.
"""

    # For a module whose work is done by the action plugin of the same name, on the controller.
    ACTION = r"""
options: {}
attributes:
  action:
    description: Runs as an action plugin on the controller; the target host needs only Python.
    support: full
"""
