"""One Markdown row of bench/transferable-search.sh: a model's training errors and its property errors against the DFT
targets, with a check mark where issue 12's target is met (a0 0.3 %, Cij 5 %, bcc−fcc 12 meV/atom, hcp−fcc 2 meV/atom
and positive, vacancy 0.1 eV, surfaces 10 %, stacking fault positive). Reads `poet properties --json` on stdin."""
import json
import sys

COLUMNS = ["model", "E (meV/atom)", "F (eV/Å)", "a0 %", "C11 %", "C12 %", "C44 %", "bcc−fcc (meV)", "hcp−fcc (meV)",
           "Ev_f (eV)", "surfaces max %", "γ_isf (mJ/m²)", "targets met"]

if sys.argv[1] == "--header":
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    sys.exit(0)

def assess(properties):
    """The row's cells (errors against the targets) and, per target of issue 12, whether it is met."""
    props = {(p["name"], p["structure"]): p for p in properties}

    def get(n, s):
        p = props.get((n, s))
        return p if p and p.get("value") is not None else None

    def rel(n, s):
        p = get(n, s)
        return None if p is None or p.get("relativeError") is None else 100 * p["relativeError"]

    met, cells = [], []
    a0 = rel("a0", "FCC")
    cells.append(a0); met.append(a0 is not None and abs(a0) <= 0.3)
    for c in ("C11", "C12", "C44"):
        v = rel(c, "FCC"); cells.append(v); met.append(v is not None and abs(v) <= 5)
    for s, tol in (("BCC_FCC", 12), ("HCP_FCC", 2)):
        p = get("delta_E0", s)
        err = None if p is None or p.get("absoluteError") is None else 1000 * p["absoluteError"]
        cells.append(err)
        ok = err is not None and abs(err) <= tol
        if s == "HCP_FCC": ok = ok and p["value"] > 0
        met.append(ok)
    p = get("Ev_f", "FCC")
    ev = None if p is None or p.get("absoluteError") is None else p["absoluteError"]
    cells.append(ev); met.append(ev is not None and abs(ev) <= 0.1)
    surf = [abs(100 * p["relativeError"]) for (n, s), p in props.items() if n.startswith("Esurf_") and p.get("relativeError") is not None]
    cells.append(max(surf) if len(surf) == 13 else None); met.append(len(surf) == 13 and max(surf) <= 10)
    isf = get("gamma_isf", "FCC")
    cells.append(isf["value"] if isf else None); met.append(isf is not None and isf["value"] > 0)
    return cells, met


if sys.argv[1] == "--front":
    # A run's properties.json (the front's property suite): how many front models meet every target, and the best.
    report = json.load(open(sys.argv[2]))
    counts = [(sum(assess(m["properties"])[1]), m["name"], m["sanity"]["passed"] if m.get("sanity") else None) for m in report["models"]]
    full = [c for c in counts if c[0] == 9]
    best = max(counts, key=lambda c: c[0])
    sane = [c for c in counts if c[2]]
    best_sane = max((c[0] for c in sane), default=0)

    def mlearn_check(m):
        """Issue 12's check of the mlearn run: hcp above fcc, a positive stacking-fault energy, C11, C12, C44 within 10 %."""
        props = {(p["name"], p["structure"]): p for p in m["properties"]}
        hcp, isf = props.get(("delta_E0", "HCP_FCC")), props.get(("gamma_isf", "FCC"))
        cij = [props.get((c, "FCC")) for c in ("C11", "C12", "C44")]
        return (hcp is not None and (hcp.get("value") or 0) > 0 and isf is not None and (isf.get("value") or 0) > 0
                and all(c is not None and c.get("relativeError") is not None and abs(c["relativeError"]) <= 0.10 for c in cij))

    passing = [m["name"] for m in report["models"] if m.get("sanity") and m["sanity"]["passed"] and mlearn_check(m)]
    print(f"front of {len(counts)} models: {len(full)} meet all 9 targets ({', '.join(c[1] for c in full) or 'none'}); "
          f"most met: {best[0]}/9 ({', '.join(c[1] for c in counts if c[0] == best[0])}); "
          f"most met by a model passing the sanity checks: {best_sane}/9 ({', '.join(c[1] for c in sane if c[0] == best_sane) or 'none'}); "
          f"sane models meeting the mlearn check (hcp above fcc, γ_isf > 0, C11/C12/C44 within 10 %): {', '.join(passing) or 'none'}")
    sys.exit(0)

name, e, f = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
cells, met = assess(json.load(sys.stdin)["properties"])
fmt = lambda x: "–" if x is None else f"{x:+.2f}"
print(f"| {name} | {e:.3f} | {f:.4f} | " + " | ".join(fmt(c) for c in cells) + f" | {sum(met)}/{len(met)} |")
