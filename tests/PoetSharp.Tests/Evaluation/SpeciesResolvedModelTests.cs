using PoetSharp.Atoms;
using PoetSharp.Evaluation;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Evaluation;

/// <summary>
/// Models of several elements (per-element terms at[A](F_A) and sums over the neighbours of one element, sum[B](g)) on
/// cells of two elements: periodic, triclinic and a slab. Per-atom energies against the scalar reference interpreter, and
/// forces, stresses, the energy gradient and the force and stress Jacobians against central finite differences.
/// </summary>
public class SpeciesResolvedModelTests(ITestOutputHelper output)
{
    private static readonly Taper ShortTaper = new(2.2, 3.2);
    private const double TaperMargin = 0.03;
    private static readonly string[] Elements = ["Cu", "Ag"];

    private static bool Usable(Structure s)
    {
        var list = NeighbourList.Create(s, ShortTaper.Outer + TaperMargin, half: false);
        for (var i = 0; i < list.AtomCount; i++)
        {
            for (var k = list.Offsets[i]; k < list.Offsets[i + 1]; k++)
            {
                var r = list.Displacement(s.Positions, i, k).Length;
                if (r < 1.9 || Math.Abs(r - ShortTaper.Inner) < TaperMargin || Math.Abs(r - ShortTaper.Outer) < TaperMargin) return false;
            }
        }
        return list.Neighbours.Length > 0;
    }

    private static Structure WithSpecies(Structure s, int seed, string name)
    {
        var random = new Random(seed);
        var species = Enumerable.Range(0, s.Count).Select(i => i < 2 ? Elements[i] : Elements[random.Next(2)]).ToArray();
        return new Structure(s.Cell, s.Positions.ToArray(), species, name);
    }

    /// <summary>A rattled fcc cell of both elements, a random triclinic cell and a slab (not periodic along c).</summary>
    public static Structure[] Structures()
    {
        var fcc = Enumerable.Range(1, 100).Select(seed => WithSpecies(Builders.Rattled(Builders.Fcc("Cu", 3.61, 1), 0.12, seed), seed, "fcc"))
            .First(Usable);
        var triclinic = Enumerable.Range(1, 2000).Select(seed => WithSpecies(Builders.RandomTriclinic(3, 3.3, seed), seed, "triclinic"))
            .First(Usable);
        var slab = Enumerable.Range(1, 2000).Select(seed => WithSpecies(Builders.RandomTriclinic(3, 3.3, seed, pc: false), seed, "slab"))
            .First(Usable);
        return [fcc, triclinic, slab];
    }

    private static double ReferenceEnergy(Expression e, Structure s, double[]? atomEnergies = null)
    {
        var list = NeighbourList.Create(s, ShortTaper.Outer, half: false);
        var energy = 0.0;
        for (var i = 0; i < s.Count; i++)
        {
            var distances = new List<double>();
            var elements = new List<byte>();
            for (var k = list.Offsets[i]; k < list.Offsets[i + 1]; k++)
            {
                var r = list.Displacement(s.Positions, i, k).Length;
                if (r >= ShortTaper.Outer) continue;
                distances.Add(r);
                elements.Add((byte)PoetSharp.Atoms.Elements.AtomicNumber(s.Species[list.Neighbours[k]]));
            }
            var atom = e.EvaluateAtom(distances.ToArray(), elements.ToArray(), (byte)PoetSharp.Atoms.Elements.AtomicNumber(s.Species[i]), ShortTaper);
            if (atomEnergies is not null) atomEnergies[i] = atom;
            energy += atom;
        }
        return energy;
    }

    /// <summary>Hand-written models: EAM-like per element with cross sums, a constant term, and one element's energy alone.</summary>
    private static readonly string[] Written =
    [
        "at[Cu](sum[Cu](0.6^r) + sum[Ag](0.5^r) - (sum[Cu](0.7^r) + 0.8*sum[Ag](0.75^r))^0.5) + at[Ag](sum(0.55^r) - sum[Ag](0.72^r)^0.5)",
        "at[Ag](1.5 + sum[Cu](r^-3)) + at[Cu](sum(0.4^r)*sum[Cu](0.9^r))",
        "at[Cu](2*sum[Ag](0.5^r))",
    ];

    [Fact]
    public void WrittenModelsMatchTheReferenceAndFiniteDifferences()
    {
        var structures = Structures();
        var table = new PairTable(structures, ShortTaper);
        foreach (var text in Written)
        {
            var e = ExpressionParser.ParseModel(text);
            var entries = Check(e, table, text);
            Assert.True(entries > 0);
        }
    }

    [Fact]
    public void RandomPerElementModelsMatchTheReferenceAndFiniteDifferences()
    {
        var structures = Structures();
        var table = new PairTable(structures, ShortTaper);
        var random = new Random(20261204);
        int valid = 0, generated = 0, entries = 0;
        var options = new RandomExpressionOptions { MaxAtomDepth = 2, MaxPairDepth = 3, ConstantMin = 0.2, ConstantMax = 2.5 };
        while (valid < 60 && generated < 600)
        {
            generated++;
            var e = RandomExpressions.PerElement(random, Elements, options);
            var evaluator = new ModelEvaluator(new CompiledModel(e, ShortTaper), table) { MaxDegreeOfParallelism = 1 };
            if (evaluator.Evaluate(EvaluationOutputs.AllJacobians) > 0) continue;
            if (evaluator.Energies.Any(x => Math.Abs(x) > 1e4)) continue; // differences of huge energies say nothing
            valid++;
            entries += Check(e, table, $"random model {generated}: {e}");
        }
        output.WriteLine($"{valid} valid of {generated} random per-element models, {entries} derivative entries checked");
        Assert.True(valid >= 60, $"only {valid} valid random models of {generated}");
    }

    /// <summary>Checks one model on every structure; returns the number of derivative entries compared.</summary>
    private static int Check(Expression e, PairTable table, string what)
    {
        var evaluator = new ModelEvaluator(new CompiledModel(e, ShortTaper), table) { MaxDegreeOfParallelism = 1 };
        Assert.Equal(0, evaluator.Evaluate(EvaluationOutputs.AllJacobians));
        var K = e.ConstantCount;
        var energyJacobian = evaluator.EnergyJacobian.ToArray();
        var forceJacobian = evaluator.ForceJacobian.ToArray();
        var stressJacobian = evaluator.StressJacobian.ToArray();
        var energies = evaluator.Energies.ToArray();
        var forces = evaluator.Forces.ToArray();
        var stresses = evaluator.Stresses.ToArray();
        var atomEnergies = evaluator.AtomEnergies.ToArray();
        var entries = 0;
        const double h = 1e-5;
        for (var s = 0; s < table.StructureCount; s++)
        {
            var structure = table.Structures[s];
            var a0 = table.AtomOffsets[s];
            var reference = new double[structure.Count];
            var total = ReferenceEnergy(e, structure, reference);
            var scale = 1 + reference.Sum(Math.Abs);
            for (var i = 0; i < structure.Count; i++)
                Assert.True(Math.Abs(reference[i] - atomEnergies[a0 + i]) <= 1e-10 * scale,
                    $"{what}, {structure.Name} atom {i} ({structure.Species[i]}): reference {reference[i]:G15}, evaluator {atomEnergies[a0 + i]:G15}");
            Assert.True(Math.Abs(total - energies[s]) <= 1e-10 * scale);

            // Through the single-structure potential too (its own pair entries and elements).
            var potential = new ModelPotential(e, ShortTaper);
            var single = potential.Compute(structure);
            Assert.True(Math.Abs(single.Energy - energies[s]) <= 1e-10 * scale, $"{what}, {structure.Name}: ModelPotential {single.Energy}, evaluator {energies[s]}");

            var forceScale = 1 + Enumerable.Range(0, structure.Count).Max(i => forces[a0 + i].Length);
            for (var i = 0; i < structure.Count; i++)
            {
                for (var a = 0; a < 3; a++)
                {
                    var numeric = -(ReferenceEnergy(e, FiniteDifference.Displaced(structure, i, a, h))
                                    - ReferenceEnergy(e, FiniteDifference.Displaced(structure, i, a, -h))) / (2 * h);
                    Assert.True(Math.Abs(numeric - forces[a0 + i][a]) <= 1e-6 * forceScale + 1e-9 * scale / h,
                        $"{what}, {structure.Name}: force on atom {i} component {a}: analytic {forces[a0 + i][a]:G12}, finite difference {numeric:G12}");
                    entries++;
                }
            }
            if (structure.Cell.FullyPeriodic)
            {
                var volume = structure.Cell.Volume;
                for (var a = 0; a < 3; a++)
                {
                    for (var b = 0; b < 3; b++)
                    {
                        var numeric = (ReferenceEnergy(e, FiniteDifference.Deformed(structure, a, b, h))
                                       - ReferenceEnergy(e, FiniteDifference.Deformed(structure, a, b, -h))) / (2 * h * volume);
                        Assert.True(Math.Abs(numeric - stresses[s].Component(a, b)) <= 1e-6 * forceScale / volume + 1e-9 * scale / h / volume,
                            $"{what}, {structure.Name}: stress ({a},{b}): analytic {stresses[s].Component(a, b):G12}, finite difference {numeric:G12}");
                        entries++;
                    }
                }
            }
            else Assert.Equal(Stress.Zero, stresses[s]);
        }

        // Constants: ∂E/∂c, ∂F/∂c and ∂σ/∂c by central differences of the evaluator itself.
        var c0 = e.Constants.ToArray();
        for (var k = 0; k < K; k++)
        {
            var step = 1e-6 * Math.Max(0.1, Math.Abs(c0[k]));
            (double[] E, Vec3[] F, Stress[] S) At(double x)
            {
                var c = (double[])c0.Clone();
                c[k] += x;
                Assert.Equal(0, evaluator.Evaluate(c));
                return (evaluator.Energies.ToArray(), evaluator.Forces.ToArray(), evaluator.Stresses.ToArray());
            }
            var (plus, minus) = (At(step), At(-step));
            for (var s = 0; s < table.StructureCount; s++)
            {
                var numeric = (plus.E[s] - minus.E[s]) / (2 * step);
                var analytic = energyJacobian[s * K + k];
                Assert.True(Math.Abs(numeric - analytic) <= 1e-6 * (1 + Math.Abs(analytic)),
                    $"{what}: ∂E/∂c{k} of structure {s}: analytic {analytic:G12}, finite difference {numeric:G12}");
                entries++;
                for (var v = 0; v < 6; v++)
                {
                    var ns = (plus.S[s][v] - minus.S[s][v]) / (2 * step);
                    var asv = stressJacobian[(6 * s + v) * K + k];
                    Assert.True(Math.Abs(ns - asv) <= 1e-6 * (1 + Math.Abs(asv)),
                        $"{what}: ∂σ{v}/∂c{k} of structure {s}: analytic {asv:G12}, finite difference {ns:G12}");
                    entries++;
                }
            }
            for (var x = 0; x < 3 * table.AtomCount; x++)
            {
                var numeric = (plus.F[x / 3][x % 3] - minus.F[x / 3][x % 3]) / (2 * step);
                var analytic = forceJacobian[x * K + k];
                Assert.True(Math.Abs(numeric - analytic) <= 1e-6 * (1 + Math.Abs(analytic)),
                    $"{what}: ∂F/∂c{k} of global atom {x / 3} component {x % 3}: analytic {analytic:G12}, finite difference {numeric:G12}");
                entries++;
            }
        }
        return entries;
    }

    [Fact]
    public void AnElementsTermIsZeroAtOtherAtomsEvenWhereItWouldNotBeFinite()
    {
        // F_Ag = sum[Cu](r)^-1 is infinite at an Ag atom without Cu neighbours; Cu atoms must not see it.
        var cell = new Cell(new Vec3(20, 0, 0), new Vec3(0, 20, 0), new Vec3(0, 0, 20), false, false, false);
        var pure = new Structure(cell, [new Vec3(0, 0, 0), new Vec3(2.5, 0, 0)], ["Cu", "Cu"]);
        var e = ExpressionParser.ParseModel("at[Cu](sum(0.5^r)) + at[Ag](sum[Cu](r)^-1)");
        var result = new ModelPotential(e, ShortTaper).Compute(pure);
        var f = ShortTaper.Evaluate(2.5).Value;
        Assert.Equal(2 * Math.Pow(0.5, 2.5) * f, result.Energy, 12);
        Assert.True(result.Forces.ToArray().All(x => x.IsFinite));
    }

    [Fact]
    public void ModelsOfOneElementAreUnchangedByTheElementMachinery()
    {
        // The same tree with and without an at[Cu] wrapper and explicit sum[Cu]: identical on pure copper.
        var structures = new[] { Builders.Rattled(Builders.Fcc("Cu", 3.61, 2), 0.1, 3) };
        var table = new PairTable(structures, Taper.Copper);
        var plain = ExpressionParser.ParseModel("sum(0.03308^r)*905.05 - 5.2676*sum((0.6690^r)^r)^0.5636");
        var resolved = ExpressionParser.ParseModel("at[Cu](sum[Cu](0.03308^r)*905.05 - 5.2676*sum[Cu]((0.6690^r)^r)^0.5636)");
        var a = new ModelEvaluator(new CompiledModel(plain, Taper.Copper), table);
        var b = new ModelEvaluator(new CompiledModel(resolved, Taper.Copper), table);
        a.Evaluate(EvaluationOutputs.AllJacobians);
        b.Evaluate(EvaluationOutputs.AllJacobians);
        Assert.Equal(a.Energies, b.Energies);
        Assert.Equal(a.Forces, b.Forces);
        Assert.Equal(a.EnergyJacobian, b.EnergyJacobian);
        Assert.Equal(a.ForceJacobian, b.ForceJacobian);
        Assert.Equal(a.StressJacobian, b.StressJacobian);
    }
}

public class SpeciesSyntaxTests
{
    [Theory]
    [InlineData("sum[Cu](0.5^r)")]
    [InlineData("at[Cu](sum[Cu](0.6^r) + sum[Ag](0.5^r)^0.5) + at[Ag](sum(0.55^r))")]
    [InlineData("at[Li](1.5) + at[Ge](sum[S](r^-3)) + at[P](2*sum[S](0.3^r)) + at[S](sum(0.4^r))")]
    public void PrintedFormsParseBackToTheSameTree(string text)
    {
        var e = ExpressionParser.ParseModel(text);
        Assert.Equal(text, ExpressionPrinter.PrintExact(e));
        var again = ExpressionParser.ParseModel(ExpressionPrinter.Print(e));
        Assert.Equal(ExpressionHash.Exact(e), ExpressionHash.Exact(again));
        Assert.Contains(@"\sum_{j \in \mathrm{", LatexPrinter.Print(e, 4));
    }

    [Fact]
    public void TheElementEntersTheHashButNotForModelsOfOneElement()
    {
        var any = ExpressionParser.ParseModel("sum(0.5^r)");
        var cu = ExpressionParser.ParseModel("sum[Cu](0.5^r)");
        var ag = ExpressionParser.ParseModel("sum[Ag](0.5^r)");
        Assert.NotEqual(ExpressionHash.Structural(any), ExpressionHash.Structural(cu));
        Assert.NotEqual(ExpressionHash.Structural(cu), ExpressionHash.Structural(ag));
        Assert.Equal(0, any.Nodes[^1].Element);
        Assert.False(any.IsSpeciesResolved);
        Assert.True(cu.IsSpeciesResolved);
    }

    [Theory]
    [InlineData("2*at[Cu](sum(r))", "at[")]
    [InlineData("at[Cu](sum(r)) + 1", "at[")]
    [InlineData("at[Cu](sum(r)) + at[Cu](sum(0.5^r))", "two at[Cu]")]
    [InlineData("at[Cu](r)", "r outside a sum")]
    [InlineData("at[Xx](sum(r))", "unknown element 'Xx'")]
    [InlineData("sum[Q](r)", "unknown element 'Q'")]
    [InlineData("sum(at[Cu](r))", "inside a sum")]
    [InlineData("at(sum(r))", "expected '['")]
    [InlineData("at[Cu](at[Ag](sum(r)))", "at[")]
    public void MisplacedElementTermsAreRejectedWithAPosition(string text, string message)
    {
        var e = Assert.Throws<ExpressionSyntaxException>(() => ExpressionParser.ParseModel(text));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void TheSimplifierKeepsElementsApart()
    {
        string Simplified(string text) => ExpressionPrinter.PrintExact(Simplifier.Simplify(ExpressionParser.ParseModel(text)));
        Assert.Equal("0", Simplified("sum[Cu](0.5^r) - sum[Cu](0.5^r)"));
        Assert.Equal("sum[Cu](0.5^r) - sum[Ag](0.5^r)", Simplified("sum[Cu](0.5^r) - sum[Ag](0.5^r)"));
        Assert.Equal("2*sum[Ag](0.5^r)", Simplified("sum[Ag](2*0.5^r)"));
        Assert.Equal("at[Cu](2*sum[Cu](0.5^r)) + at[Ag](2*sum[Cu](0.5^r))",
            Simplified("at[Cu](sum[Cu](0.5^r) + sum[Cu](0.5^r)) + at[Ag](sum[Cu](2*0.5^r))"));
    }
}
