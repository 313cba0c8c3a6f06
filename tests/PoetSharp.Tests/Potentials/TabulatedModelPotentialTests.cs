using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Models;
using PoetSharp.Tests.Support;
using Xunit;

namespace PoetSharp.Tests.Potentials;

/// <summary>The tabulated fast path of a model equals the exact model, and its forces and stress are its own derivatives.</summary>
public class TabulatedModelPotentialTests
{
    public static TheoryData<string> Models => new()
    {
        ExpressionSyntaxTests.Gp1,
        ExpressionSyntaxTests.Gp2,
        "sum(644.52*r^-9) - 527.62*sum(r^-6)^0.5",
        "sum((1.3-r)^2*0.2^r) / (1 + sum(r^-4))",
        // One, three and five sums: the vector kernels pad an odd count and loop over more than two pairs of sums.
        "sum(3.1*r^-7)",
        "sum(r^-8) - sum(0.4^r)^0.5 + 0.3*sum(r^-3)",
        "sum(r^-8) * (2 + sum(0.4^r)) - sum(r^-3) + sum(0.2^r)^2 / (1 + sum(r^-5))",
        // The functions exp, log, sqrt at pair and atom level (a Gupta-like form among them).
        "0.2*sum(exp(6.2*(1 - r/2.55))) - 1.3*sqrt(sum(exp(-2.4*(r/2.55 - 1))))",
        "sum(log(r)^2*r^-3) + log(1 + sum(r^-6)) - exp(-sum(sqrt(r)*0.3^r))",
    };

    /// <summary>Every model with the vector kernels (where the processor has them) and with the scalar ones.</summary>
    public static TheoryData<string, bool> ModelsAndKernels()
    {
        var data = new TheoryData<string, bool>();
        foreach (string m in Models) { data.Add(m, true); data.Add(m, false); }
        return data;
    }

    private static IEnumerable<Structure> Structures()
    {
        var folder = PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NVT_FCC_1400K"));
        yield return folder[0];
        yield return folder[5];
        yield return Builders.Rattled(Builders.Fcc("Cu", 3.3, 2), 0.15, 4); // compressed: close pairs
        yield return Builders.RandomTriclinic(12, 6.5, 8);
    }

    [Theory]
    [MemberData(nameof(ModelsAndKernels))]
    public void Tabulated_model_equals_the_exact_model(string text, bool vectorKernels)
    {
        var expression = ExpressionParser.Parse(text);
        var fast = new TabulatedModelPotential(expression, Taper.Copper, null, null, 1e-8, 0.5, vectorKernels);
        var exact = new ModelPotential(expression, Taper.Copper);
        Assert.True(fast.MeasuredError <= 1e-8, $"table error {fast.MeasuredError:E2} at spacing {fast.Spacing} Å");
        foreach (var s in Structures())
        {
            var a = fast.Compute(s);
            var b = exact.Compute(s);
            if (!double.IsFinite(b.Energy)) continue;
            TabulatedSpeciesModelTests.AssertSameResult(a, b, s, text);
        }
    }

    [Theory]
    [MemberData(nameof(ModelsAndKernels))]
    public void Forces_and_stress_are_finite_differences_of_the_energy(string text, bool vectorKernels)
    {
        var fast = new TabulatedModelPotential(ExpressionParser.Parse(text), Taper.Copper, null, null, 1e-8, 0.5, vectorKernels);
        var structure = Builders.Rattled(Builders.Fcc("Cu", 3.5, 2), 0.1, 9);
        FiniteDifference.AssertForces(fast, structure, rtol: 1e-5);
        FiniteDifference.AssertStress(fast, structure, rtol: 1e-5);
    }

    [Fact]
    public void Pairs_closer_than_the_table_use_the_exact_expression()
    {
        var expression = ExpressionParser.Parse("sum(644.52*r^-9) - 527.62*sum(r^-6)^0.5");
        var fast = new TabulatedModelPotential(expression, Taper.Copper, tableStart: 1.5);
        var exact = new ModelPotential(expression, Taper.Copper);
        var dimer = new Structure(Cell.NonPeriodic(), [Vec3.Zero, new Vec3(0.9, 0.3, 0.1)], ["Cu", "Cu"]);
        Assert.Equal(exact.Compute(dimer).Energy, fast.Compute(dimer).Energy, 10);
        Assert.Equal(exact.Compute(dimer).Forces[1].X, fast.Compute(dimer).Forces[1].X, 8);
    }

    [Fact]
    public void A_pair_function_that_is_not_finite_on_the_table_is_refused()
    {
        // (r − 2)^−1 has a pole at 2 Å inside the table.
        var e = Assert.Throws<ArgumentException>(() => new TabulatedModelPotential(ExpressionParser.Parse("sum((r-2)^-1)"), Taper.Copper));
        Assert.Contains("cannot be tabulated", e.Message);
    }
}

public class TabulatedModelParallelTests
{
    [Fact]
    public void Parallel_path_equals_the_serial_path()
    {
        var expression = ExpressionParser.Parse(ExpressionSyntaxTests.Gp1);
        var serial = new TabulatedModelPotential(expression, Taper.Copper) { ParallelThreshold = int.MaxValue };
        var parallel = new TabulatedModelPotential(expression, Taper.Copper) { ParallelThreshold = 1 };
        var scalar = new TabulatedModelPotential(expression, Taper.Copper, null, null, 1e-8, 0.5, vectorKernels: false) { ParallelThreshold = 1 };
        var crystal = Builders.Rattled(Builders.Fcc("Cu", 3.615, 7), 0.1, 2); // 1372 atoms: two chunks
        var a = serial.Compute(crystal);
        var b = parallel.Compute(crystal);
        Assert.Equal(a.Energy, b.Energy, 1e-9 * Math.Abs(a.Energy));
        for (var i = 0; i < crystal.Count; i++) Assert.True((a.Forces[i] - b.Forces[i]).Length < 1e-11, $"atom {i}");
        for (var v = 0; v < 6; v++) Assert.Equal(a.Stress[v], b.Stress[v], 1e-12);
        // Reused buffers: a second call gives the same again.
        var c = parallel.Compute(crystal);
        Assert.Equal(b.Energy, c.Energy);
        // The scalar kernels in parallel give the same to rounding.
        var d = scalar.Compute(crystal);
        Assert.Equal(a.Energy, d.Energy, 1e-9 * Math.Abs(a.Energy));
        for (var i = 0; i < crystal.Count; i++) Assert.True((a.Forces[i] - d.Forces[i]).Length < 1e-11, $"atom {i} (scalar)");
    }
}

public class TabulatedModelConcurrencyTests
{
    [Fact]
    public void Calls_made_side_by_side_give_the_same_bits_as_a_call_alone()
    {
        // Several MD runs on one potential (poet diffusion's temperatures): a call that finds the workers busy runs its
        // chunks alone, split exactly as when it has them, so every call gives the same bits.
        var potential = new TabulatedModelPotential(ExpressionParser.Parse(ExpressionSyntaxTests.Gp1), Taper.Copper) { ParallelThreshold = 1 };
        var crystal = Builders.Rattled(Builders.Fcc("Cu", 3.615, 7), 0.1, 3);
        var list = NeighbourList.Create(crystal, potential.Cutoff, half: true);
        var reference = new PotentialResult();
        potential.Compute(crystal, list, reference);
        Parallel.For(0, 24, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            var r = new PotentialResult();
            potential.Compute(crystal, list, r);
            Assert.Equal(BitConverter.DoubleToInt64Bits(reference.Energy), BitConverter.DoubleToInt64Bits(r.Energy));
            for (var i = 0; i < crystal.Count; i++) Assert.Equal(reference.Forces[i], r.Forces[i]);
            Assert.Equal(reference.Stress, r.Stress);
        });
    }
}

// The persistent workers are shared by the whole process: run where no other test can hand them work meanwhile.
[Collection(nameof(PoetSharp.Tests.Evaluation.AllocationMeasurements))]
public class TabulatedModelAllocationTests
{
    private const string AngularModel = "sum(645.7*r^-9) - 22.97*sum(r^-6)^0.5 + 3000*ang2(r^-6) + 1000*ang1[Cu](r^-6) + 100*ang3(r^-6)";

    /// <summary>
    /// MD steps with a model on the tabulated path allocate nothing once warm, serial or parallel: counted per thread on
    /// the caller and on each persistent worker (process-wide counters would include the test runner's own threads).
    /// Steps with list rebuilds included (the skin is small and the crystal hot). GP1, and a model with angular densities
    /// (their moments and pair values in buffers of their own).
    /// </summary>
    [Theory]
    [InlineData(ExpressionSyntaxTests.Gp1, int.MaxValue)]
    [InlineData(ExpressionSyntaxTests.Gp1, 1)]
    [InlineData(AngularModel, int.MaxValue)]
    [InlineData(AngularModel, 1)]
    public void Md_steps_allocate_nothing_once_warm(string text, int parallelThreshold)
    {
        var model = new TabulatedModelPotential(ExpressionParser.Parse(text), Taper.Copper) { ParallelThreshold = parallelThreshold };
        var md = new PoetSharp.Simulation.MolecularDynamics(model, Builders.Fcc("Cu", 3.615, 7), // 1372 atoms: two chunks in parallel
            new PoetSharp.Simulation.MdSettings { Seed = 5, TimeStep = 2, Skin = 0.3 }, initialTemperature: 1500);
        md.Run(200); // warm: buffers grown, list rebuilt a few times
        var helpersBefore = PoetSharp.Evaluation.IndexedWorkers.HelperAllocatedBytes.Sum();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var rebuildsBefore = md.NeighbourListBuilds;
        md.Run(200);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, PoetSharp.Evaluation.IndexedWorkers.HelperAllocatedBytes.Sum() - helpersBefore);
        Assert.True(md.NeighbourListBuilds > rebuildsBefore, "the list was not rebuilt during the counted steps");
    }
}

/// <summary>The tabulated path of models of two elements: the exact model on alloy cells, serial and parallel, and its own derivatives.</summary>
public class TabulatedSpeciesModelTests
{
    public static TheoryData<string> Models => new()
    {
        "at[Cu](sum[Cu](644.52*r^-9) - 527.62*sum(r^-6)^0.5) + at[Ni](sum[Cu](700*r^-9) + sum[Ni](600*r^-9) - 500*(sum[Ni](r^-6) + 0.9*sum[Cu](r^-6))^0.5)",
        // An element's term with a sum that is empty on some atoms (a gradient infinite there) and a constant.
        "at[Ni](2 + sum[Cu](0.3^r)^0.5) + at[Cu](sum(0.4^r))",
        // One expression for every atom, with species-resolved sums.
        "sum[Ni](r^-8) - sum[Cu](0.4^r)^0.5 + 0.3*sum(r^-3)",
    };

    /// <summary>
    /// Result <paramref name="a"/> equals <paramref name="b"/> of the same structure to 1e-8 relative: energy and atom
    /// energies (relative to at least 1 eV), forces (to the largest force) and stress (to its largest component).
    /// </summary>
    internal static void AssertSameResult(PotentialResult a, PotentialResult b, Structure s, string what)
    {
        Assert.True(Math.Abs(a.Energy - b.Energy) <= 1e-8 * Math.Max(1, Math.Abs(b.Energy)), $"{what} {s.Name}: energy {a.Energy} vs {b.Energy}");
        for (var i = 0; i < s.Count; i++)
            Assert.True(Math.Abs(a.AtomEnergies[i] - b.AtomEnergies[i]) <= 1e-8 * Math.Max(1, Math.Abs(b.AtomEnergies[i])), $"{what} {s.Name}: energy of atom {i}");
        var scale = 1e-3;
        for (var i = 0; i < s.Count; i++) scale = Math.Max(scale, b.Forces[i].Length);
        for (var i = 0; i < s.Count; i++)
            Assert.True((a.Forces[i] - b.Forces[i]).Length <= 1e-8 * scale, $"{what} {s.Name}: force on {i} ({s.Species[i]}) {a.Forces[i]} vs {b.Forces[i]}");
        var stressScale = Math.Max(1e-6, b.Stress.ToVoigt().Max(Math.Abs));
        for (var v = 0; v < 6; v++) Assert.True(Math.Abs(a.Stress[v] - b.Stress[v]) <= 1e-8 * stressScale, $"{what} {s.Name}: stress {v} {a.Stress[v]} vs {b.Stress[v]}");
    }

    private static Structure Alloy(int n, double a, int seed, double nickel)
    {
        var s = Builders.Rattled(Builders.Fcc("Cu", a, n), 0.1, seed);
        var random = new Random(seed);
        var species = Enumerable.Range(0, s.Count).Select(_ => random.NextDouble() < nickel ? "Ni" : "Cu").ToArray();
        return new Structure(s.Cell, s.Positions.ToArray(), species, $"alloy {seed}");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Tabulated_alloy_model_equals_the_exact_model_serial_and_parallel(string text)
    {
        var expression = ExpressionParser.ParseModel(text);
        var fast = new TabulatedModelPotential(expression, Taper.Copper) { ParallelThreshold = int.MaxValue };
        var parallel = new TabulatedModelPotential(expression, Taper.Copper) { ParallelThreshold = 1 };
        // The scalar kernels too (the others are the vector kernels where 256-bit vectors are accelerated).
        var scalar = new TabulatedModelPotential(expression, Taper.Copper, null, null, 1e-8, 0.5, vectorKernels: false) { ParallelThreshold = int.MaxValue };
        var exact = new ModelPotential(expression, Taper.Copper);
        foreach (var s in new[] { Alloy(2, 3.55, 1, 0.5), Alloy(2, 3.55, 2, 0.1), Alloy(6, 3.56, 3, 0.3) })
        {
            var b = exact.Compute(s);
            Assert.True(double.IsFinite(b.Energy));
            foreach (var a in new[] { fast.Compute(s), parallel.Compute(s), scalar.Compute(s) }) AssertSameResult(a, b, s, "tabulated");
        }
        var small = Alloy(2, 3.5, 5, 0.4);
        foreach (var potential in new[] { fast, scalar })
        {
            FiniteDifference.AssertForces(potential, small, rtol: 1e-5);
            FiniteDifference.AssertStress(potential, small, rtol: 1e-5);
        }
    }
}
