using PoetSharp.Atoms;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Simulation;
using PoetSharp.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Potentials;

/// <summary>
/// The tabulated path of models with angular densities ang0..ang3 (over every neighbour or one element's, in one
/// expression or per-element terms) on Cu–Ag cells: the exact model's energies, atom energies, forces and stresses with
/// the vector and the scalar kernels, serial and parallel; forces and stress as finite differences of its own energy;
/// NVE molecular dynamics that conserves energy to second order in the time step.
/// </summary>
public class TabulatedAngularTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models => new()
    {
        // Every order, with plain sums before and after them in node order (the atom level's sum index mixes both).
        "0.3*ang0(0.4^r) + sum(3.1*r^-7) - sqrt(sum(r^-6)) + 0.5*ang1(r^-3) - 0.2*ang2(0.5^r) + 0.4*ang3(r^-2)",
        // Angular densities only (no plain sum for the vector kernels).
        "ang2(1.7^(-r)*(1 - 0.3*r)) - 0.5*ang3(r^-2)^0.5",
        // Species-resolved densities in one expression, mixed with plain sums at the atom level.
        "sum[Ag](r^-8) + 0.2*ang2[Cu](0.5^r) - 0.3*sqrt(1 + ang3[Ag](r^-2)) + ang1[Cu](0.4^r)*sum(0.3^r) + 0.1*ang0[Ag](r^-3)",
        PerElement,
    };

    /// <summary>Per-element terms: each element's own densities, some over one element's neighbours.</summary>
    private const string PerElement =
        "at[Cu](sum(644.52*r^-9) - sqrt(sum(r^-6) + 0.5*ang2[Ag](r^-3))) + at[Ag](sum[Cu](700*r^-9) - sqrt(ang0(r^-3)) + 0.1*ang3[Cu](0.5^r) + 2*ang1(r^-4))";

    public static TheoryData<string, bool> ModelsAndKernels()
    {
        var data = new TheoryData<string, bool>();
        foreach (string m in Models) { data.Add(m, true); data.Add(m, false); }
        return data;
    }

    /// <summary>A rattled fcc cell of random Cu–Ag composition.</summary>
    private static Structure Alloy(int n, double a, int seed, double silver, double rattle = 0.12)
    {
        var s = Builders.Rattled(Builders.Fcc("Cu", a, n), rattle, seed);
        var random = new Random(seed);
        var species = Enumerable.Range(0, s.Count).Select(_ => random.NextDouble() < silver ? "Ag" : "Cu").ToArray();
        return new Structure(s.Cell, s.Positions.ToArray(), species, $"Cu-Ag {n}^3 seed {seed}");
    }

    private static IEnumerable<Structure> Structures()
    {
        yield return Alloy(2, 3.7, 1, 0.5);
        yield return Alloy(2, 3.45, 2, 0.2, 0.2); // compressed and hot: close pairs
        var t = Builders.RandomTriclinic(12, 6.8, 8);
        var random = new Random(3);
        yield return new Structure(t.Cell, t.Positions.ToArray(), t.Species.Select(_ => random.NextDouble() < 0.4 ? "Ag" : "Cu").ToArray(), "triclinic Cu-Ag");
    }

    private static void AssertSame(PotentialResult a, PotentialResult b, Structure s, string what) =>
        TabulatedSpeciesModelTests.AssertSameResult(a, b, s, what);

    [Theory]
    [MemberData(nameof(ModelsAndKernels))]
    public void Tabulated_angular_model_equals_the_exact_model_serial_and_parallel(string text, bool vectorKernels)
    {
        var expression = ExpressionParser.ParseModel(text);
        var serial = new TabulatedModelPotential(expression, Taper.Copper, null, null, 1e-8, 0.5, vectorKernels) { ParallelThreshold = int.MaxValue };
        var parallel = new TabulatedModelPotential(expression, Taper.Copper, null, null, 1e-8, 0.5, vectorKernels) { ParallelThreshold = 1 };
        var exact = new ModelPotential(expression, Taper.Copper);
        foreach (var s in Structures())
        {
            var b = exact.Compute(s);
            Assert.True(double.IsFinite(b.Energy), $"{s.Name}: the exact model is not finite");
            AssertSame(serial.Compute(s), b, s, "serial");
            AssertSame(parallel.Compute(s), b, s, "parallel");
        }
    }

    [Theory]
    [MemberData(nameof(ModelsAndKernels))]
    public void Forces_and_stress_are_finite_differences_of_the_energy(string text, bool vectorKernels)
    {
        var fast = new TabulatedModelPotential(ExpressionParser.ParseModel(text), Taper.Copper, null, null, 1e-8, 0.5, vectorKernels);
        var structure = Alloy(2, 3.6, 9, 0.4);
        FiniteDifference.AssertForces(fast, structure, rtol: 1e-5);
        FiniteDifference.AssertStress(fast, structure, rtol: 1e-5);
    }

    /// <summary>
    /// A 4-atom cell (edge 3.6 Å, below the 5 Å cutoff): an atom's own periodic images are its neighbours, half-list pairs
    /// with j = i that add to the same moment twice (at u and, as atom j, at −u) and whose forces cancel on the atom.
    /// </summary>
    [Theory]
    [MemberData(nameof(ModelsAndKernels))]
    public void Cells_smaller_than_the_cutoff_count_each_image(string text, bool vectorKernels)
    {
        var expression = ExpressionParser.ParseModel(text);
        var fast = new TabulatedModelPotential(expression, Taper.Copper, null, null, 1e-8, 0.5, vectorKernels);
        var cell = Alloy(1, 3.6, 7, 0.5, 0.15);
        AssertSame(fast.Compute(cell), new ModelPotential(expression, Taper.Copper).Compute(cell), cell, "small cell");
        FiniteDifference.AssertForces(fast, cell, rtol: 1e-5);
        FiniteDifference.AssertStress(fast, cell, rtol: 1e-5);
    }

    /// <summary>
    /// Pairs closer than the table's start take the exact expression for the angular densities too (φ and φ′ there): a
    /// cluster with pairs at 0.9–1.4 Å against the exact model, and its forces as differences of its energy.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Pairs_closer_than_the_table_use_the_exact_expression(bool vectorKernels)
    {
        var expression = ExpressionParser.ParseModel("sum(r^-9) + 0.5*ang2(r^-3) - 0.2*ang1(0.4^r) + 0.3*ang3[Ag](r^-2)*sum(0.3^r)");
        var fast = new TabulatedModelPotential(expression, Taper.Copper, null, null, 1e-8, 1.5, vectorKernels);
        Assert.True(fast.TableStart >= 1.4, $"table from {fast.TableStart} Å");
        var cluster = new Structure(Cell.NonPeriodic(),
            [Vec3.Zero, new Vec3(0.9, 0.3, 0.1), new Vec3(0.2, 1.1, -0.3), new Vec3(2.0, 0.5, 0.7), new Vec3(-0.4, 0.6, 1.2)],
            ["Cu", "Ag", "Cu", "Ag", "Ag"], "close cluster");
        AssertSame(fast.Compute(cluster), new ModelPotential(expression, Taper.Copper).Compute(cluster), cluster, "close pairs");
        FiniteDifference.AssertForces(fast, cluster, rtol: 1e-6);
    }

    /// <summary>
    /// 1372 atoms split into chunks: a chunk's pairs add to the moments of atoms in other chunks, and its forces use their
    /// gradients. The parallel path equals the serial one (to rounding: the moments are added in another order) and the
    /// exact model.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Parallel_chunks_equal_the_serial_path(bool vectorKernels)
    {
        var expression = ExpressionParser.ParseModel(PerElement);
        var serial = new TabulatedModelPotential(expression, Taper.Copper, null, null, 1e-8, 0.5, vectorKernels) { ParallelThreshold = int.MaxValue };
        var parallel = new TabulatedModelPotential(expression, Taper.Copper, null, null, 1e-8, 0.5, vectorKernels) { ParallelThreshold = 1 };
        var crystal = Alloy(7, 3.7, 4, 0.3, 0.1);
        var a = serial.Compute(crystal);
        var b = parallel.Compute(crystal);
        Assert.Equal(a.Energy, b.Energy, 1e-10 * Math.Abs(a.Energy));
        for (var i = 0; i < crystal.Count; i++) Assert.True((a.Forces[i] - b.Forces[i]).Length < 1e-11, $"atom {i}: {a.Forces[i]} vs {b.Forces[i]}");
        for (var v = 0; v < 6; v++) Assert.Equal(a.Stress[v], b.Stress[v], 1e-12);
        // Reused buffers: a second call gives the same again.
        Assert.Equal(b.Energy, parallel.Compute(crystal).Energy);
        AssertSame(b, new ModelPotential(expression, Taper.Copper).Compute(crystal), crystal, "parallel vs exact");
    }

    /// <summary>
    /// NVE on a Cu–Ag crystal with a Sutton–Chen-like model plus angular penalties (zero on the perfect fcc lattice, by its
    /// symmetry; positive when distorted): as for the plain models' MD test, halving the step cuts the energy's spread
    /// about fourfold (an O(dt²) integration error) and there is no drift.
    /// </summary>
    [Fact]
    public void Nve_with_angular_densities_conserves_energy_to_second_order_in_the_time_step()
    {
        const string plain = "sum(645.7*r^-9) - 22.97*sum(r^-6)^0.5";
        var model = new TabulatedModelPotential(ExpressionParser.ParseModel(plain + " + 3000*ang2(r^-6) + 3000*ang3[Ag](r^-6) + 1000*ang1(r^-6)"), Taper.Copper);
        var withoutAngular = new TabulatedModelPotential(ExpressionParser.ParseModel(plain), Taper.Copper);
        var crystal = Alloy(3, 3.61, 6, 0.3, 0);
        (double Spread, double Drift, double Angular) Run(double dt)
        {
            var md = new MolecularDynamics(model, crystal, new MdSettings { TimeStep = dt, Seed = 3 }, initialTemperature: 1200);
            var e0 = md.TotalEnergy;
            double lo = e0, hi = e0;
            md.Run((long)Math.Round(1000 / dt), m => { lo = Math.Min(lo, m.TotalEnergy); hi = Math.Max(hi, m.TotalEnergy); });
            var angular = (model.Compute(md.Structure).Energy - withoutAngular.Compute(md.Structure).Energy) / md.Structure.Count;
            return ((hi - lo) / md.Structure.Count, (md.TotalEnergy - e0) / md.Structure.Count, angular);
        }
        var coarse = Run(2.0);
        var fine = Run(1.0);
        output.WriteLine($"spread {coarse.Spread:E3} eV/atom at 2 fs, {fine.Spread:E3} at 1 fs; drift {coarse.Drift:E3} eV/atom over 1 ps; " +
                         $"angular energy at the end {coarse.Angular:E3} eV/atom");
        // The angular densities take part: their energy in the hot crystal is well above the integration error.
        Assert.True(coarse.Angular > 10 * coarse.Spread, $"angular energy {coarse.Angular:E3} eV/atom");
        Assert.True(coarse.Spread < 5e-4, $"energy spread {coarse.Spread:E3} eV/atom at 2 fs");
        Assert.InRange(coarse.Spread / fine.Spread, 3.0, 5.5);
        Assert.True(Math.Abs(coarse.Drift) < coarse.Spread, $"drift {coarse.Drift:E3} eV/atom over 1 ps");
    }
}

