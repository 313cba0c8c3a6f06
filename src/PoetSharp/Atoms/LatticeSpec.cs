using System.Globalization;

namespace PoetSharp.Atoms;

/// <summary>
/// Crystals described in one word on the command line: <c>LATTICE:ELEMENT:A:NXxNYxNZ</c>, e.g. <c>fcc:Cu:3.615:10x10x10</c>
/// (conventional cubic cells of edge A Å repeated NX×NY×NZ times). Lattices: fcc, bcc.
/// </summary>
public static class LatticeSpec
{
    public const string Help = "LATTICE:ELEMENT:A:NXxNYxNZ, e.g. fcc:Cu:3.615:10x10x10 (lattice fcc or bcc, A the cubic lattice constant in Å)";

    public static Structure Build(string spec)
    {
        var parts = spec.Split(':');
        if (parts.Length != 4) throw new ArgumentException($"'{spec}' is not a crystal description: expected {Help}");
        var lattice = parts[0].ToLowerInvariant();
        var element = parts[1];
        if (!Elements.IsKnown(element)) throw new ArgumentException($"'{spec}': unknown element '{element}'");
        if (!double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var a) || !(a > 0) || !double.IsFinite(a))
            throw new ArgumentException($"'{spec}': the lattice constant '{parts[2]}' is not a positive number of Å");
        var counts = parts[3].ToLowerInvariant().Split('x');
        var n = new int[3];
        if (counts.Length != 3 || counts.Select((c, k) => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out n[k]) && n[k] >= 1).Any(ok => !ok))
            throw new ArgumentException($"'{spec}': the repetitions '{parts[3]}' are not three positive integers like 10x10x10");
        return lattice switch
        {
            "fcc" => Lattices.Fcc(element, a, n[0], n[1], n[2]),
            "bcc" => Lattices.Bcc(element, a, n[0], n[1], n[2]),
            _ => throw new ArgumentException($"'{spec}': unknown lattice '{parts[0]}' (known: fcc, bcc)"),
        };
    }
}
