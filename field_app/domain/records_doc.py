"""Renders docs/records.md from the record specs, so the reference cannot drift from the code.

    python -m field_app.domain.records_doc > docs/records.md
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator

from . import vocab
from .escalation import for_reason
from .fieldkit import kind_of
from .indicators import CONTACT_INTERVAL_DAYS, NO_SUPERVISION_INTERVAL_DAYS, RISK_WINDOW_DAYS
from .records import RECORD_SPECS
from .rules import ACUTE_REASONS, TRANSITION_GRACE_MS, acute_trigger
from .schema import Field

INTRO = """\
# Veldwerk records: reference

Generated from `field_app/domain/records*.py` by `python -m field_app.domain.records_doc > docs/records.md`;
a unit test fails when this file is out of date. Codes and labels: `field_app/domain/vocab.py`.

## How records work

Every change is an operation `{type, record_id, client_id, kind, fields, hlc, author_user}` with `kind` one
of `create | set | addendum | retract`; a `create` or `set` also carries `base` (per field, the stamp of the
value the device held when the change was made: docs/conflicts.md).

* **Notes** (contact, meldcode, case_conference) are append-only: one `create`, then only `addendum`
  (`{text}`, 1–10 000 characters) or `retract` (`{reason}`, 5–1000 characters). `validate_update` on a note
  raises `{"kind": "Een notitie verander je niet; voeg een aanvulling toe."}`.
* **Mutable records** get one `create` and then `set` operations, merged per field, last writer wins. Two
  changes of one field made from the same value without seeing each other are shown on the record as a
  conflict (both values, who, when) until a user keeps one (`resolve_conflict`; docs/conflicts.md).

| function | returns |
|---|---|
| `validate_create(type, fields, ctx)` | the clean fields of the new record, every default filled in |
| `validate_update(type, current, changes, ctx)` | only the clean changed fields (+ derived ones that change) |
| `validate_addendum(original_type, fields)` | `{text}` |
| `validate_retract(fields)` | `{reason}` |

All raise `ValidationError(errors)` with one plain-Dutch message per field path and every problem at once.
A path is the field name, or `field.index.subfield` inside lists and objects (`risks.1.severity`); the first
segment is always a record field. Record-level keys: `type` (unknown type; a second aftercare record) and
`kind` (operation not allowed). Unknown fields are errors. `null` for an optional field means its default.

Conventions: times are int UTC milliseconds (`ms`); dates are `"YYYY-MM-DD"` strings in Dutch local time;
ids are base64url strings of at most 64 characters. *fixed* fields are set at create and refused in a `set`.
*partial* dict fields merge in a `set`: the change `{"BED_BEVESTIGD": "GEREGELD"}` updates one item, `null`
removes one, and the returned change holds the whole merged dict. *derived* fields are computed; a caller may
send them only with the computed value. `🔒` marks sensitive (health or criminal) data.

`ClientContext`: `client_id`, `now` (ms), `records(type) -> [(record_id, fields)]` (live records of this
client, retracted notes left out), `record(record_id) -> (type, fields) | None`. The client record has
`record_id == client_id`. `DictContext` implements it over plain dicts.

Automatic flags have the id `flag_record_id(client_id, rule, source_id)` and the aftercare record the id
`singleton_record_id(client_id, "aftercare")`, so two offline devices write the same record.
"""


def _default(f: Field) -> str:
    if f.required:
        return "—"
    if f.default_fn is not None:
        return "computed"
    return f"`{json.dumps(f.default, ensure_ascii=False)}`"


def _rows(name: str, f: Field) -> Iterator[tuple[str, str, str, str, str]]:
    flags = ", ".join(x for x, on in (("required", f.required), ("fixed", f.fixed)) if on)
    yield name, kind_of(f.clean), flags, _default(f), f.doc
    spec = getattr(f.clean, "spec", None)
    item_spec = getattr(getattr(f.clean, "item", None), "spec", None)
    if spec:
        for sub, sf in spec.items():
            yield from _rows(f"{name}.{sub}", sf)
    elif item_spec:
        for sub, sf in item_spec.items():
            yield from _rows(f"{name}[].{sub}", sf)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    out = [INTRO]
    out.append("## Record types\n")
    out.append("| type | label (NL / EN) | kind |\n|---|---|---|")
    for t, spec in RECORD_SPECS.items():
        out.append(f"| `{t}` | {spec.label.nl} / {spec.label.en} | {'note' if spec.note else 'mutable'} |")
    out.append("")
    for t, spec in RECORD_SPECS.items():
        schema = spec.schema
        assert schema is not None
        out.append(f"### `{t}` — {spec.label.nl} / {spec.label.en} ({'note' if spec.note else 'mutable'})\n")
        out.append("| field | type | flags | default | notes |\n|---|---|---|---|---|")
        for name, f in schema.fields.items():
            for row in _rows(name, f):
                partial = " partial" if row[0] in schema.partial else ""
                out.append("| " + " | ".join(_cell(c) for c in (f"`{row[0]}`", row[1], row[2] + partial, row[3],
                                                                   row[4])) + " |")
        for name, d in schema.derived.items():
            out.append(f"| `{name}` | {d.kind} | derived | computed | {_cell(d.doc)} |")
        out.append("")
    out.append(_rules_section())
    out.append("## Code lists\n")
    for name, cls in inspect.getmembers(vocab, inspect.isclass):
        if issubclass(cls, vocab.Vocab) and cls is not vocab.Vocab:
            out.append(f"* **{name}**: " + ", ".join(f"`{c}`" for c in cls.codes()))
    out.append("")
    return "\n".join(out)


def _flag_of(reason: str) -> str:
    """``reason / urgency / route`` of an automatic flag, from the escalation triggers."""
    t = for_reason(reason)
    return f"`{t.reason}` / `{t.urgency}` / `{t.route}`"


_RULES = (
    ("`ACUUT_RISICO_POLITIE`, `_GGZ`, `_VEILIG_THUIS`, `_OM`", "a contact has a risk with severity `ACUUT`",
     "contact", "per domain below"),
    ("`OVERTREDING_SLACHTOFFER`", "a compliance check `OVERTREDING` of a `CONTACTVERBOD`/`LOCATIEVERBOD` with "
     "protected persons or `EM_GPS`", "contact", _flag_of("OVERTREDING_SLACHTOFFERRISICO")),
    ("`OVERGANG_TE_LAAT`", f"`planned_at` + {TRANSITION_GRACE_MS // 60000} min < now, no `actual_at`, status not "
     "`AANGEKOMEN`/`MISLUKT`/`GEANNULEERD`", "transition", _flag_of("OVERGANG_MISLUKT_OF_VERTRAAGD")),
    ("`OVERGANG_MISLUKT`", "transition status `MISLUKT`", "transition", "as above"),
    ("`KADER_VERVALLEN`", "no framework (other than `GEEN_KADER`) is `ACTIEF`/`GESCHORST` and one is "
     "`VERVALLEN`/`BEEINDIGD_REGULIER`", "the last lapsed framework", _flag_of("KADER_VERVALLEN")),
    ("`VERHUIZING_SLACHTOFFERADRES`", "a network person with role `SLACHTOFFER` lives with the client (client "
     "not in `PI`/`KLINIEK`)", "network_person", _flag_of("VERHUIZING_NAAR_RISICOADRES")),
)


def _acute_row(domain: str | None) -> tuple[str, str, str]:
    # "any other domain": a code no entry names
    t = acute_trigger(str(domain) if domain is not None else "")[1]
    return t.reason, t.route, t.urgency


def _rules_section() -> str:
    rules = "\n".join("| " + " | ".join(row) + " |" for row in _RULES)
    acute = "\n".join("| `{}` | `{}` | `{}` | `{}` |".format(d or "any other domain", *_acute_row(d))
                      for d, _ in ACUTE_REASONS)
    levels = ", ".join(f"`{k}` {v} days" for k, v in CONTACT_INTERVAL_DAYS.items())
    return f"""## Automatic flags (`rules.evaluate`)

Each rule proposes a flag every time it runs while its condition holds; the caller writes it only if no
record with `flag_record_id(client_id, rule, source_id)` exists. A closed client (`status AFGESLOTEN`) gets
none.

| rule (`raised_by_rule`) | when | source | reason / urgency / route |
|---|---|---|---|
{rules}

Acute risk by domain (when one contact has several on the same route, the first listed names the flag and
the most urgent sets its urgency); route and urgency come from the escalation triggers
(`escalation.for_reason`, DOMAIN.md §4.3), as *Escaleren?* proposes them:

| domain | reason | route | urgency |
|---|---|---|---|
{acute}

`lapse_followup(ctx)` returns the writes for a lapsed framework (aftercare `spoed` with the checklist of the
five basisvoorwaarden, plus `VT_AFWEGING_GEDAAN` with a (possible) victim or a child at home; client and open
`DWANG` cases to `DRANG`), or `null` when done. `contact_overdue(ctx)` uses {levels}; verscherpt counts as
level 3; no supervision {NO_SUPERVISION_INTERVAL_DAYS} days **(verify)**. `risk_level(ctx)` looks back
{RISK_WINDOW_DAYS} days.
"""


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
