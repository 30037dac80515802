"""The docs/performance.md table of the end-to-end bench (see bench/e2e.py)."""

from __future__ import annotations


def _n(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


def _how(vw: dict) -> str:
    if "from_snapshot" not in vw:
        return ""
    return ", from the sealed snapshot" if vw["from_snapshot"] else ", no snapshot: every operation folded"


def _cpu(vw: dict) -> str:
    if "unlock_cpu_s" not in vw:
        return ""
    return f" (CPU {_n(vw['unlock_cpu_s'] * 1000)} ms, load {vw['load_avg']:.1f})"


def _table(run: dict) -> list[str]:
    vw, n = run["veldwerk"], run["N"]
    base, ratio = run.get("pouchdb_median"), run.get("ratio", {})
    dash = "—"

    def pouch(key: str, scale: float = 1.0, unit: str = "/s", digits: int = 0) -> str:
        return f"{_n(base[key] * scale, digits)}{unit}" if base else dash

    def r(key: str) -> str:
        return f"{ratio[key]:.2f}×" if key in ratio else dash

    load = run.get("load")
    when = run.get("date", "") + (f", load average {load[0]:.1f} → {load[-1]:.1f}" if load else "")
    rows = [
        f"| N = {_n(n)} notes of ~1 KB ({when}) | Veldwerk | PouchDB | ratio |",
        "|---|---|---|---|",
        f"| record locally (services: validate, rules, seal, sign, store) | {_n(vw['record_rps'])} notes/s | {dash} | "
        f"{dash} |",
        f"| push until the outbox is empty ({_n(vw['pushed'])} envelopes) | {_n(vw['push_rps'])}/s | "
        f"{pouch('push_rps')} | {r('push')} |",
        f"| fresh device pulls all into store and projection | {_n(vw['pull_rps'])}/s | {pouch('pull_rps')} | "
        f"{r('pull')} |",
        f"| sync with nothing to do | {_n(vw['noop_ms'], 1)} ms, {vw['noop_requests']:g} "
        f"request{'' if vw['noop_requests'] == 1 else 's'} | "
        f"{pouch('noop_s', 1000, ' ms', 1)} | |",
        f"| recording one note, ~100 records on the device | {_n(vw['note_ms_at_100'], 2)} ms | | |",
        f"| recording one note, {_n(n)} records on the device | {_n(vw['note_ms_at_n'], 2)} ms "
        f"(p95 {_n(vw['note_ms_p95_at_n'], 2)}) | | |",
    ]
    if "unlock_s_without_kdf" in vw:
        rows += [
            f"| unlock and projection of {_n(vw['records'])} records, without the KDF "
            f"(KDF of this run: {_n(vw['kdf_s'] * 1000)} ms){_how(vw)} | {_n(vw['unlock_s_without_kdf'] * 1000)} ms"
            f"{_cpu(vw)} | | |",
            f"| device process resident, unlocked with them | {_n(vw['rss_mb'])} MB (peak {_n(vw['rss_peak_mb'])}) "
            f"| | |",
        ]
        fold = vw.get("full_fold") or {}
        if "unlock_s_without_kdf" in fold:
            rows.append(f"| the same unlock with no usable snapshot (every operation folded; then the snapshot is "
                        f"written in the background) | {_n(fold['unlock_s_without_kdf'] * 1000)} ms{_cpu(fold)}, "
                        f"{_n(fold['rss_mb'])} MB (peak {_n(fold['rss_peak_mb'])} while writing it, "
                        f"{_n(fold.get('rss_mb_after_snapshot', 0))} after) | | |")
    elif "probe_error" in vw:
        rows.append("| unlock and memory | the probe failed | | |")
    return rows


def render(result: dict) -> str:
    m = result["machine"]
    lines = [f"Measured by `make bench` on {m['date']}: {m['cpu']}, {m['cores']} cores, {m['platform']}, "
             f"Python {m['python']}, node {m['node'] or 'absent'}. PouchDB: {result['pouchdb']}; its figure is "
             "the median of the runs just before and just after Veldwerk's. Load average: the machine's 1-minute "
             "load before and after each size's runs (2 cores, shared)."]
    for run in result["runs"]:
        lines += [""] + _table(run)
        if run.get("pouchdb_missing"):
            lines += ["", f"No ratio: {run['pouchdb_missing']}."]
    return "\n".join(lines)
