# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Plain-text tables for the roles' reports (printed with ansible.builtin.debug, one line per list item)."""


def text_table(rows, headers):
    """`rows` (lists, or mappings keyed by the headers) as aligned lines: the header, a rule, one line per row.
    None prints as '-'."""
    headers = [str(h) for h in headers]
    cells = []
    for row in rows or []:
        values = [row.get(h) for h in headers] if isinstance(row, dict) else list(row)
        cells.append(["-" if v is None else str(v) for v in values] + [""] * (len(headers) - len(values)))
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values):
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    return [line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells]
