using PoetSharp.Atoms;
using PoetSharp.Mtp;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Mtp;

public class MtpModelTests
{
    /// <summary>A random two-species MTP: the generated basis of a level with random radial and linear coefficients.</summary>
    internal static MtpModel RandomModel(int level, string[] elements, int seed, double cutoff = 4.6, double minDistance = 1.9)
    {
        // scaling keeps the zeroth moments of these cells near one, as training chooses it.
        var model = MtpModel.Untrained(level, elements, minDistance, cutoff, radialBasisSize: 6, seed: seed, scaling: 0.04);
        var rng = new Random(seed + 100);
        var species = elements.Select(_ => -3 + rng.NextDouble()).ToArray();
        var moments = Enumerable.Range(0, model.Basis.ScalarCount).Select(_ => 0.2 * (2 * rng.NextDouble() - 1)).ToArray();
        var radial = model.RadialCoefficients.Select(c => c + 0.3 * (2 * rng.NextDouble() - 1)).ToArray();
        return model.WithRadial(radial).WithLinear(species, moments);
    }

    /// <summary>A rattled fcc cell with Cu and Ni on random sites (periodic or with vacuum along z).</summary>
    internal static Structure Alloy(int seed, bool slab = false, double a = 3.6)
    {
        var s = Builders.Rattled(Lattices.Fcc("Cu", a, 2, 2, 2), 0.12, seed);
        var rng = new Random(seed);
        var species = s.Species.Select(_ => rng.Next(2) == 0 ? "Cu" : "Ni").ToArray();
        var cell = slab ? new Cell(s.Cell.A, s.Cell.B, s.Cell.C * 3.0, true, true, false) : s.Cell;
        return new Structure(cell, s.Positions, species, "alloy");
    }

    // A random neighbourhood: n displacements between 2 and 4.4 Å, random species.
    private static (Vec3[] D, int[] Types) Neighbourhood(int n, int seed)
    {
        var rng = new Random(seed);
        var d = new Vec3[n];
        var t = new int[n];
        for (var j = 0; j < n; j++)
        {
            Vec3 u;
            do u = new Vec3(2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1); while (u.LengthSquared > 1 || u.LengthSquared < 0.01);
            d[j] = u * ((2.0 + 2.4 * rng.NextDouble()) / u.Length);
            t[j] = rng.Next(2);
        }
        return (d, t);
    }

    [Fact]
    public void GeneratedBasisHasMlipsCountsPerLevel()
    {
        // Scalar moments per level of MLIP's level-20 basis (Cu_mtp.mtp, Zuo et al.), counted from its product program.
        int[] perLevel = [1, 1, 3, 4, 7, 13, 23, 40, 71, 125];
        var total = 0;
        for (var i = 0; i < perLevel.Length; i++)
        {
            total += perLevel[i];
            Assert.Equal(total, MomentBasis.Generate(2 * (i + 1)).ScalarCount);
        }
        var level16 = MomentBasis.Generate(16);
        Assert.Equal(92, level16.ScalarCount);
        Assert.Equal(4, level16.RadialFunctionCount);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(20)]
    public void GeneratedBasisIsRotationInvariant(int level)
    {
        var model = RandomModel(level, ["Cu", "Ni"], 3);
        var kernel = new MtpKernel(model);
        var ws = new MtpKernel.Workspace();
        var (d, t) = Neighbourhood(14, 7);
        var nα = model.Basis.ScalarCount;
        var b0 = new double[nα];
        kernel.BasisWithDerivatives(ws, 0, d, t, b0, new double[nα * 3 * d.Length]);
        // A proper rotation and an improper one (inversion): contractions of even total rank are invariant under both.
        var rng = new Random(11);
        var q = new double[] { rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5 };
        var qn = Math.Sqrt(q.Sum(x => x * x));
        var (w, x, y, z) = (q[0] / qn, q[1] / qn, q[2] / qn, q[3] / qn);
        Vec3 Rotate(Vec3 v) => new(
            (1 - 2 * (y * y + z * z)) * v.X + 2 * (x * y - z * w) * v.Y + 2 * (x * z + y * w) * v.Z,
            2 * (x * y + z * w) * v.X + (1 - 2 * (x * x + z * z)) * v.Y + 2 * (y * z - x * w) * v.Z,
            2 * (x * z - y * w) * v.X + 2 * (y * z + x * w) * v.Y + (1 - 2 * (x * x + y * y)) * v.Z);
        foreach (var transform in new Func<Vec3, Vec3>[] { Rotate, v => -1.0 * Rotate(v) })
        {
            var b1 = new double[nα];
            kernel.BasisWithDerivatives(ws, 0, d.Select(transform).ToArray(), t, b1, new double[nα * 3 * d.Length]);
            for (var a = 0; a < nα; a++)
                Assert.True(Math.Abs(b1[a] - b0[a]) <= 1e-10 * Math.Max(1, Math.Abs(b0[a])), $"B_{a}: {b0[a]} before, {b1[a]} after");
        }
    }

    [Fact]
    public void AtomGradientAndBasisDerivativesMatchFiniteDifferences()
    {
        var model = RandomModel(14, ["Cu", "Ni"], 5);
        var kernel = new MtpKernel(model);
        var ws = new MtpKernel.Workspace();
        var (d, t) = Neighbourhood(10, 3);
        var n = d.Length;
        var grad = new Vec3[n];
        var e = kernel.Energy(ws, 1, d, t, grad);
        var nα = model.Basis.ScalarCount;
        var b = new double[nα];
        var db = new double[nα * 3 * n];
        kernel.BasisWithDerivatives(ws, 1, d, t, b, db);
        // The energy from the basis values equals the reverse-mode energy.
        var fromBasis = model.SpeciesCoefficients[1] + b.Select((v, a) => v * model.MomentCoefficients[a]).Sum();
        Assert.Equal(e, fromBasis, 1e-10 * Math.Max(1, Math.Abs(e)));
        const double h = 1e-6;
        for (var j = 0; j < n; j++)
            for (var c = 0; c < 3; c++)
            {
                var plus = (Vec3[])d.Clone();
                var minus = (Vec3[])d.Clone();
                plus[j] = Shift(d[j], c, h);
                minus[j] = Shift(d[j], c, -h);
                var numeric = (kernel.Energy(ws, 1, plus, t, []) - kernel.Energy(ws, 1, minus, t, [])) / (2 * h);
                Assert.True(Math.Abs(numeric - grad[j][c]) <= 1e-6 * (1 + Math.Abs(numeric)), $"∂E/∂d_{j}{c}: {grad[j][c]} vs {numeric}");
                var bp = new double[nα];
                var bm = new double[nα];
                kernel.BasisWithDerivatives(ws, 1, plus, t, bp, new double[nα * 3 * n]);
                kernel.BasisWithDerivatives(ws, 1, minus, t, bm, new double[nα * 3 * n]);
                for (var a = 0; a < nα; a++)
                {
                    var nb = (bp[a] - bm[a]) / (2 * h);
                    var an = db[a * 3 * n + 3 * j + c];
                    Assert.True(Math.Abs(nb - an) <= 1e-6 * (1 + Math.Abs(nb)), $"∂B_{a}/∂d_{j}{c}: {an} vs {nb}");
                }
            }
    }

    private static Vec3 Shift(Vec3 v, int c, double h) => c switch { 0 => v with { X = v.X + h }, 1 => v with { Y = v.Y + h }, _ => v with { Z = v.Z + h } };

    [Fact]
    public void ParameterGradientMatchesFiniteDifferences()
    {
        var model = RandomModel(12, ["Cu", "Ni"], 9);
        var (d, t) = Neighbourhood(9, 4);
        var rng = new Random(2);
        var v = d.Select(_ => new Vec3(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5)).ToArray();
        const double weight = 0.7;
        var ws = new MtpKernel.Workspace();
        // G(θ) = a E + Σ_j ∂E/∂d_j · v_j.
        double G(MtpModel m)
        {
            var g = new Vec3[d.Length];
            var e = new MtpKernel(m).Energy(ws, 0, d, t, g);
            return weight * e + g.Select((x, j) => Vec3.Dot(x, v[j])).Sum();
        }
        var analytic = new double[model.ParameterCount];
        new MtpKernel(model).ParameterGradient(ws, 0, d, t, weight, v, analytic);
        var p = model.Parameters();
        // G is linear in the linear parameters and smooth in the radial ones; a larger step keeps round-off (|G| ~ 1e2) small.
        const double h = 1e-4;
        var checkedRadial = 0;
        for (var k = 0; k < p.Length; k++)
        {
            var plus = (double[])p.Clone(); plus[k] += h;
            var minus = (double[])p.Clone(); minus[k] -= h;
            var numeric = (G(model.WithParameters(plus)) - G(model.WithParameters(minus))) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[k]) <= 1e-6 * (1 + Math.Abs(numeric)), $"parameter {k}: analytic {analytic[k]}, numeric {numeric}");
            if (k < model.RadialParameterCount && numeric != 0) checkedRadial++;
        }
        Assert.True(checkedRadial > model.RadialParameterCount / 3, "too few radial derivatives were non-zero to test anything");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PotentialForcesAndStressMatchFiniteDifferences(bool slab)
    {
        var potential = new MtpPotential(RandomModel(10, ["Cu", "Ni"], 1));
        var s = Alloy(4, slab);
        FiniteDifference.AssertAtomEnergiesSum(potential, s);
        FiniteDifference.AssertForces(potential, s, h: 1e-5, atol: 1e-6, rtol: 1e-6, maxAtoms: 12);
        if (!slab) FiniteDifference.AssertStress(potential, s, h: 1e-6, atol: 1e-7, rtol: 1e-6);
    }

    [Fact]
    public void SmallTriclinicCellWithSelfImagesMatchesFiniteDifferences()
    {
        // A cell shorter than the cutoff: atoms see their own periodic images.
        var s = Builders.RandomTriclinic(3, 3.3, 8);
        var species = new[] { "Cu", "Ni", "Cu" };
        s = new Structure(s.Cell, s.Positions, species, "small");
        var potential = new MtpPotential(RandomModel(10, ["Cu", "Ni"], 2));
        FiniteDifference.AssertForces(potential, s, h: 1e-5, atol: 1e-5, rtol: 1e-6);
        FiniteDifference.AssertStress(potential, s, h: 1e-6, atol: 1e-6, rtol: 1e-6);
    }

    [Fact]
    public void ParallelAndSerialAgreeAndRepeatedCallsAllocateNothing()
    {
        var model = RandomModel(12, ["Cu", "Ni"], 6);
        var s = Builders.Rattled(Lattices.Fcc("Cu", 3.6, 4, 4, 4), 0.1, 2);
        var serial = new MtpPotential(model, threads: 1).Compute(s);
        var parallel = new MtpPotential(model, threads: -1);
        var list = NeighbourList.Create(s, model.Cutoff, half: true);
        var result = new PotentialResult();
        parallel.Compute(s, list, result);
        Assert.Equal(serial.Energy, result.Energy, 1e-9);
        for (var i = 0; i < s.Count; i++)
            for (var c = 0; c < 3; c++) Assert.Equal(serial.Forces[i][c], result.Forces[i][c], 1e-10);
        var before = GC.GetAllocatedBytesForCurrentThread();
        parallel.Compute(s, list, result);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Results_are_the_same_bits_whoever_runs_the_blocks()
    {
        // Energy, forces and stress must not depend on which worker ran which block: one call alone, on one thread, and
        // calls made side by side from several threads (so that some find the workers busy and run alone) give
        // identical bits. NPT runs made side by side (poet diffusion's temperatures) repeat only then.
        var model = RandomModel(12, ["Cu", "Ni"], 6);
        var s = Builders.Rattled(Lattices.Fcc("Cu", 3.6, 4, 4, 4), 0.1, 2);
        for (var i = 0; i < s.Count; i += 3) s.Species[i] = "Ni";
        var list = NeighbourList.Create(s, model.Cutoff, half: true);
        var potential = new MtpPotential(model, threads: -1);
        var reference = new PotentialResult();
        potential.Compute(s, list, reference);
        var alone = new PotentialResult();
        new MtpPotential(model, threads: 1).Compute(s, list, alone);
        AssertSameBits(reference, alone);
        Parallel.For(0, 40, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            var r = new PotentialResult();
            potential.Compute(s, list, r);
            AssertSameBits(reference, r);
        });

        static void AssertSameBits(PotentialResult a, PotentialResult b)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(a.Energy), BitConverter.DoubleToInt64Bits(b.Energy));
            for (var i = 0; i < a.AtomCount; i++)
                for (var c = 0; c < 3; c++) Assert.Equal(BitConverter.DoubleToInt64Bits(a.Forces[i][c]), BitConverter.DoubleToInt64Bits(b.Forces[i][c]));
            Assert.Equal(a.Stress, b.Stress);
        }
    }
}
