using System.Text.Json;
using MathNet.Numerics.LinearAlgebra.Double;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Mtp;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Mtp;

/// <summary>Zuo et al.'s level-20 copper MTP (an MLIP-2 file) against motep, an independent Python implementation.</summary>
public class MtpReferenceTests
{
    private static MtpModel CopperMtp() => MtpFile.Read(TestData.Shared("mlearn", "Cu_mtp.mtp"), ["Cu"]);

    [Fact]
    public void CopperMtpMatchesMotepOnTrainingStructures()
    {
        // Recorded by Fixtures/mtp/record_motep_reference.py (motep's NumPy engine through shared/reference/mtp_reference.py).
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "mtp", "Cu_mtp_motep.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var data = DataFiles.Read(TestData.Shared("mlearn", "Cu_train.xyz"));
        var potential = new MtpPotential(CopperMtp());
        var compared = 0;
        foreach (var entry in json.RootElement.GetProperty("structures").EnumerateArray())
        {
            var s = data[entry.GetProperty("index").GetInt32()];
            Assert.Equal(entry.GetProperty("natoms").GetInt32(), s.Count);
            var r = potential.Compute(s);
            var energy = entry.GetProperty("energy").GetDouble();
            Assert.True(Math.Abs(r.Energy - energy) <= 1e-8 * Math.Abs(energy), $"structure {s.Name}: energy {r.Energy:R} against motep's {energy:R}");
            var forces = entry.GetProperty("forces").EnumerateArray().Select(f => f.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();
            var scale = forces.Max(f => Math.Sqrt(f.Sum(x => x * x)));
            for (var i = 0; i < s.Count; i++)
                for (var c = 0; c < 3; c++)
                    Assert.True(Math.Abs(r.Forces[i][c] - forces[i][c]) <= 1e-8 * scale, $"structure {s.Name}, atom {i}, component {c}: {r.Forces[i][c]:R} against {forces[i][c]:R}");
            var stress = entry.GetProperty("stress").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            var stressScale = stress.Max(Math.Abs);
            for (var c = 0; c < 6; c++)
                Assert.True(Math.Abs(r.Stress[c] - stress[c]) <= 1e-8 * stressScale, $"structure {s.Name}, stress {c}: {r.Stress[c]:R} against {stress[c]:R}");
            compared++;
        }
        Assert.Equal(14, compared);
    }

    [Fact]
    public void AFourSpeciesMtpWrittenByPoetSharpGivesTheSameNumbersInMotep()
    {
        // Interoperability the other way: our .mtp writer's output (a level-16 Nb–Mo–Ta–W model trained by fit-mtp), read
        // by motep's own reader and evaluated by its engine (Fixtures/mtp/record_motep_alloy_reference.py).
        var folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "mtp");
        var model = MtpFile.Read(Path.Combine(folder, "NbMoTaW_level16_poetsharp.mtp"), ["Nb", "Mo", "Ta", "W"]);
        Assert.Equal(4, model.SpeciesCount);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "NbMoTaW_level16_motep.json")));
        var potential = new MtpPotential(model);
        var compared = 0;
        foreach (var entry in json.RootElement.GetProperty("structures").EnumerateArray())
        {
            var s = DataFiles.Read(TestData.Shared("alloys", "NbMoTaW", entry.GetProperty("file").GetString()!))[entry.GetProperty("index").GetInt32()];
            var r = potential.Compute(s);
            var energy = entry.GetProperty("energy").GetDouble();
            Assert.True(Math.Abs(r.Energy - energy) <= 1e-8 * Math.Abs(energy), $"{s.Name}: energy {r.Energy:R} against motep's {energy:R}");
            var forces = entry.GetProperty("forces").EnumerateArray().Select(f => f.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();
            // Relative to the largest force, or 1 eV/Å for an unstrained lattice whose forces are round-off.
            var scale = Math.Max(1.0, forces.Max(f => Math.Sqrt(f.Sum(x => x * x))));
            for (var i = 0; i < s.Count; i++)
                for (var c = 0; c < 3; c++)
                    Assert.True(Math.Abs(r.Forces[i][c] - forces[i][c]) <= 1e-8 * scale, $"{s.Name}, atom {i}, component {c}: {r.Forces[i][c]:R} against {forces[i][c]:R}");
            var stress = entry.GetProperty("stress").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            var stressScale = Math.Max(1e-3, stress.Max(Math.Abs));
            for (var c = 0; c < 6; c++)
                Assert.True(Math.Abs(r.Stress[c] - stress[c]) <= 1e-8 * stressScale, $"{s.Name}, stress {c}: {r.Stress[c]:R} against {stress[c]:R}");
            compared++;
        }
        Assert.Equal(8, compared);
    }

    [Fact]
    public void GeneratedLevel20BasisSpansTheSameFunctionsAsMlips()
    {
        // Both bases on the same radial functions, evaluated on random neighbourhoods: every MLIP basis function must be a
        // linear combination of ours and the other way round (the bases may differ by a change of basis, not in content).
        var mlip = CopperMtp();
        var ours = new MtpModel(MomentBasis.Generate(20), ["Cu"], mlip.Scaling, mlip.MinDistance, mlip.Cutoff, mlip.RadialBasisSize,
            mlip.RadialFunctionCount, mlip.RadialCoefficients, [0.0], new double[MomentBasis.Generate(20).ScalarCount]);
        Assert.Equal(mlip.Basis.ScalarCount, ours.Basis.ScalarCount);
        var rows = 900;
        var n = mlip.Basis.ScalarCount;
        var a = new DenseMatrix(rows, n);
        var b = new DenseMatrix(rows, n);
        var rng = new Random(5);
        var ws = new MtpKernel.Workspace();
        var (ka, kb) = (new MtpKernel(ours), new MtpKernel(mlip));
        var va = new double[n];
        var vb = new double[n];
        for (var row = 0; row < rows; row++)
        {
            var count = 3 + rng.Next(10);
            var d = new Vec3[count];
            for (var j = 0; j < count; j++)
            {
                Vec3 u;
                do u = new Vec3(2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1); while (u.LengthSquared > 1 || u.LengthSquared < 0.01);
                d[j] = u * ((2.2 + 1.5 * rng.NextDouble()) / u.Length);
            }
            var types = new int[count];
            ka.BasisWithDerivatives(ws, 0, d, types, va, new double[n * 3 * count]);
            kb.BasisWithDerivatives(ws, 0, d, types, vb, new double[n * 3 * count]);
            for (var c = 0; c < n; c++) { a[row, c] = va[c]; b[row, c] = vb[c]; }
        }
        AssertSpanned(a, b, "MLIP's");
        AssertSpanned(b, a, "our");
    }

    // Each column of `target` is the least-squares combination of `basis`'s columns to a small relative residual.
    private static void AssertSpanned(DenseMatrix basis, DenseMatrix target, string what)
    {
        var norms = Enumerable.Range(0, basis.ColumnCount).Select(c => basis.Column(c).L2Norm()).ToArray();
        var scaled = DenseMatrix.Create(basis.RowCount, basis.ColumnCount, (r, c) => basis[r, c] / norms[c]);
        // Both bases hold exact linear dependencies (e.g. the Cayley–Hamilton relations of 3×3 moment matrices): project onto
        // the left singular vectors of the non-negligible singular values.
        var svd = scaled.Svd(computeVectors: true);
        var rank = svd.S.Count(x => x > 1e-11 * svd.S[0]);
        var u = svd.U.SubMatrix(0, scaled.RowCount, 0, rank);
        var worst = 0.0;
        for (var c = 0; c < target.ColumnCount; c++)
        {
            var y = target.Column(c);
            var residual = (y - u * (u.TransposeThisAndMultiply(y))).L2Norm() / y.L2Norm();
            worst = Math.Max(worst, residual);
        }
        Assert.True(worst < 1e-6, $"{what} basis functions are not all combinations of the other basis: worst relative residual {worst:G3}");
    }
}
