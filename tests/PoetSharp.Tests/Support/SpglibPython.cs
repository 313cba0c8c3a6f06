using System.Text.Json;
using PoetSharp.Atoms;

namespace PoetSharp.Tests.Support;

/// <summary>Structures as python spglib takes them, for the tests that check our symmetry against it (<see cref="AsePython"/>).</summary>
public static class SpglibPython
{
    /// <summary>JSON of python spglib's cell: lattice rows a, b, c; fractional positions; integer types numbered by first appearance.</summary>
    public static string CellJson(Structure s)
    {
        var c = s.Cell;
        var species = s.Species.Distinct().ToList();
        return JsonSerializer.Serialize(new
        {
            lattice = new[] { c.A, c.B, c.C }.Select(v => new[] { v.X, v.Y, v.Z }),
            positions = s.Positions.Select(p => c.ToFractional(p)).Select(f => new[] { f.X, f.Y, f.Z }),
            numbers = s.Species.Select(x => species.IndexOf(x) + 1),
        });
    }
}
