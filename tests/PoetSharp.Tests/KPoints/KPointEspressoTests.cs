using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PoetSharp.Atoms;
using PoetSharp.KPoints;
using PoetSharp.Learning;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.KPoints;

/// <summary>The Quantum ESPRESSO oracle's default k-points: the generalized grid, written as an irreducible list with weights.</summary>
public class KPointEspressoTests
{
    private static readonly EspressoSettings Quick = new()
    {
        PseudoFolder = Requirements.DebianEspressoPseudo,
        Pseudopotentials = new Dictionary<string, string> { ["Cu"] = "Cu.pz-d-rrkjus.UPF" },
        EcutWfc = 25,
        EcutRho = 200,
        ConvThrPerAtom = 1e-10,
        KMinDistance = 10,
    };

    [NeedsFact(External.SpglibLibrary)]
    public void DefaultInputListsTheGeneralizedGridsIrreduciblePoints()
    {
        var cu = Lattices.FccPrimitive("Cu", 3.615);
        var pseudos = new Dictionary<string, string> { ["Cu"] = "Cu.test.UPF" };
        var text = EspressoInput.Write(cu, new EspressoSettings { KMinDistance = 10 }, pseudos);
        var grid = KPointGenerator.Generate(cu, 10).Grid;
        Assert.Contains($"K_POINTS crystal\n  {grid.Irreducible}\n", text);
        Assert.DoesNotContain("K_POINTS automatic", text);
        // Deterministic: the same structure gets the same input (a resumed learning run relies on it).
        Assert.Equal(text, EspressoInput.Write(cu, new EspressoSettings { KMinDistance = 10 }, pseudos));
        // The old choices stay available.
        Assert.Contains("K_POINTS automatic\n  13 13 13 0 0 0\n", EspressoInput.Write(cu, new EspressoSettings { KSpacing = 0.25 }, pseudos));
        Assert.Contains("K_POINTS automatic\n  4 4 4 0 0 0\n", EspressoInput.Write(cu, new EspressoSettings { KGrid = (4, 4, 4) }, pseudos));
    }

    /// <summary>
    /// pw.x on the irreducible points with our weights gives the energy of the whole grid listed point by point with equal
    /// weights and symmetry off: the reduction and weights are right in a real DFT code, not only in our own algebra.
    /// </summary>
    [NeedsFact(External.Espresso | External.SpglibLibrary)]
    public void PwEnergyOnTheIrreduciblePointsEqualsTheFullGrids()
    {
        var cu = Lattices.FccPrimitive("Cu", 3.615);
        cu.Positions[0] = Vec3.Zero;
        var pseudos = new Dictionary<string, string> { ["Cu"] = "Cu.pz-d-rrkjus.UPF" };
        var reduced = EspressoInput.Write(cu, Quick, pseudos);
        var grid = KPointGenerator.Generate(cu, Quick.KMinDistance).Grid;
        Assert.True(grid.Irreducible < grid.Total / 4);

        var full = new StringBuilder($"K_POINTS crystal\n  {grid.Total}\n");
        foreach (var k in AllPoints(grid)) full.Append(FormattableString.Invariant($"  {k.X:R} {k.Y:R} {k.Z:R} 1\n"));
        var start = reduced.IndexOf("K_POINTS", StringComparison.Ordinal);
        var unreduced = reduced[..start].Replace("&SYSTEM\n", "&SYSTEM\n  nosym = .true.\n  noinv = .true.\n") + full;
        Assert.Contains("nosym", unreduced);

        var eReduced = Run(reduced);
        var eFull = Run(unreduced);
        Assert.Equal(eFull, eReduced, 5);
    }

    // Every grid point k = H⁻ᵀ(m + s) (H the Hermite form in the cell's basis, m over the box of its diagonal), in [0, 1).
    private static IEnumerable<Vec3> AllPoints(KPointGrid g)
    {
        var h = g.Superlattice;
        long a = h[0, 0], c = h[1, 1], f = h[2, 2];
        for (long m0 = 0; m0 < a; m0++)
            for (long m1 = 0; m1 < c; m1++)
                for (long m2 = 0; m2 < f; m2++)
                {
                    // Solve Hᵀk = m + s, Hᵀ upper triangular, by back substitution.
                    var r2 = m2 + g.Shift.Z; var r1 = m1 + g.Shift.Y; var r0 = m0 + g.Shift.X;
                    var k2 = r2 / f;
                    var k1 = (r1 - h[2, 1] * k2) / c;
                    var k0 = (r0 - h[1, 0] * k1 - h[2, 0] * k2) / a;
                    yield return new Vec3(k0 - Math.Floor(k0), k1 - Math.Floor(k1), k2 - Math.Floor(k2));
                }
    }

    private static double Run(string input)
    {
        var folder = TestData.TempDir();
        File.WriteAllText(Path.Combine(folder, "pw.in"), input);
        var psi = new ProcessStartInfo("pw.x") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-input"); psi.ArgumentList.Add("pw.in");
        psi.Environment["OMP_NUM_THREADS"] = "1";
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(600_000), "pw.x did not finish in 10 minutes");
        var text = stdout.Result;
        var match = Regex.Matches(text, @"^!\s+total energy\s+=\s+(\S+)\s+Ry", RegexOptions.Multiline);
        Assert.True(match.Count > 0, $"no total energy in pw.x's output:\n{text[Math.Max(0, text.Length - 3000)..]}\n{stderr.Result}");
        return double.Parse(match[^1].Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
