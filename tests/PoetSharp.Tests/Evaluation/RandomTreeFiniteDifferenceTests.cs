using PoetSharp.Atoms;
using PoetSharp.Evaluation;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Evaluation;

/// <summary>
/// Hundreds of valid random trees against independent ground truth: per-atom energies against the scalar reference
/// interpreter (<see cref="Expression.EvaluateAtom"/>), and forces, stresses and the constant gradient against central
/// finite differences of the reference interpreter's energy. Small periodic cells and a short taper keep it cheap.
/// </summary>
public class RandomTreeFiniteDifferenceTests(ITestOutputHelper output)
{
    /// <summary>Short enough that an atom has about a dozen neighbours; most of them lie inside the taper's range.</summary>
    private static readonly Taper ShortTaper = new(2.2, 3.2);

    private const int RequiredValidTrees = 300;
    private const int MaxTrees = 1500;
    /// <summary>Step of the differences: Å for positions, strain for the cell, relative for constants.</summary>
    private const double H = 5e-4;
    /// <summary>The taper's second derivative jumps at r_in and r_out: no distance may come within reach of the stencil.</summary>
    private const double TaperMargin = 0.03;
    private const double MinDistance = 1.9;
    private const double MachineEpsilon = 2.220446049250313e-16;

    private static bool Usable(Structure s)
    {
        var list = NeighbourList.Create(s, ShortTaper.Outer + TaperMargin, half: false);
        for (var i = 0; i < list.AtomCount; i++)
        {
            for (var k = list.Offsets[i]; k < list.Offsets[i + 1]; k++)
            {
                var r = list.Displacement(s.Positions, i, k).Length;
                if (r < MinDistance || Math.Abs(r - ShortTaper.Inner) < TaperMargin || Math.Abs(r - ShortTaper.Outer) < TaperMargin) return false;
            }
        }
        return true;
    }

    /// <summary>A rattled 4-atom fcc cell and a random 3-atom triclinic cell: the first seeds that are usable.</summary>
    public static Structure[] Structures()
    {
        var fcc = Enumerable.Range(1, 100).Select(seed => Builders.Rattled(Builders.Fcc("Cu", 3.61, 1), 0.12, seed)).First(Usable);
        var triclinic = Enumerable.Range(1, 1000).Select(seed => Builders.RandomTriclinic(3, 3.2, seed)).First(Usable);
        return [fcc, triclinic];
    }

    private static readonly ThreadLocal<NeighbourList> Neighbours = new(() => NeighbourList.Create(Structures()[0], ShortTaper.Outer, half: false));

    /// <summary>Σ_i of the reference interpreter over a full neighbour list, and Σ_i |E_i|.</summary>
    private static (double Energy, double Magnitude) ReferenceEnergy(Expression e, Structure s)
    {
        var list = Neighbours.Value!;
        list.Build(s, ShortTaper.Outer, half: false);
        double energy = 0, magnitude = 0;
        var distances = new List<double>();
        for (var i = 0; i < list.AtomCount; i++)
        {
            distances.Clear();
            for (var k = list.Offsets[i]; k < list.Offsets[i + 1]; k++)
            {
                var r = list.Displacement(s.Positions, i, k).Length;
                if (r < ShortTaper.Outer) distances.Add(r);
            }
            var atom = e.EvaluateAtom(distances.ToArray(), ShortTaper);
            energy += atom;
            magnitude += Math.Abs(atom);
        }
        return (energy, magnitude);
    }

    private sealed class Tally
    {
        public int Entries, Loose;
        public double WorstRelative;

        /// <summary>
        /// |numeric − analytic| ≤ 1e-6 (|analytic| + 1e-3 scale) + roundoff + truncation: <paramref name="roundoff"/> is
        /// what differences of nearly equal energies lose, <paramref name="truncation"/> the estimated h⁴ error. A check
        /// where those two exceed the strict part counts as loose.
        /// </summary>
        public void Check((double Value, double Truncation) numeric, double analytic, double scale, double roundoff, string what)
        {
            var strict = 1e-6 * (Math.Abs(analytic) + 1e-3 * scale);
            var allowed = strict + roundoff + numeric.Truncation;
            var error = Math.Abs(numeric.Value - analytic);
            Assert.True(error <= allowed, $"{what}: analytic {analytic:G15}, finite difference {numeric.Value:G15}, allowed {allowed:G3}");
            Entries++;
            if (roundoff + numeric.Truncation > strict) Loose++;
            if (error > 0) WorstRelative = Math.Max(WorstRelative, error / allowed);
        }
    }

    [Fact]
    public void ValidRandomTreesMatchTheReferenceInterpreterAndFiniteDifferences() =>
        CheckRandomTrees(new RandomExpressionOptions(), 20261124, RequiredValidTrees);

    /// <summary>The same with exp, log and sqrt at pair and atom level (log and sqrt of negative values: invalid trees).</summary>
    [Fact]
    public void ValidRandomTreesWithFunctionsMatchTheReferenceInterpreterAndFiniteDifferences() =>
        CheckRandomTrees(new RandomExpressionOptions { UnaryOperators = Operators.Unary, UnaryProbability = 0.3 }, 20260511, 150, requireFunctions: 100);

    private void CheckRandomTrees(RandomExpressionOptions options, int seed, int requiredValid, int requireFunctions = 0)
    {
        var structures = Structures();
        var table = new PairTable(structures, ShortTaper);
        Assert.True(table.MaxNeighboursPerAtom is >= 6 and <= 30, $"{table.MaxNeighboursPerAtom} neighbours");
        var random = new Random(seed);
        int generated = 0, valid = 0, invalid = 0, invalidNearby = 0, atomsCompared = 0, withFunctions = 0;
        Tally forces = new(), stresses = new(), gradients = new();

        while (valid < requiredValid && generated < MaxTrees)
        {
            var tree = RandomExpressions.Atom(random, options);
            var t = generated++;
            var evaluator = new ModelEvaluator(new CompiledModel(tree, ShortTaper), table) { MaxDegreeOfParallelism = 1 };
            // Invalid: anything non-finite on the structures (energy, forces, stress or the constant gradient).
            if (evaluator.Evaluate(withEnergyJacobian: true) > 0) { invalid++; continue; }
            var K = evaluator.Model.ConstantCount;
            var c0 = tree.Constants.ToArray();
            var ok = true;
            var pending = new List<Action>();
            for (var s = 0; s < structures.Length && ok; s++)
            {
                var structure = structures[s];
                var (_, magnitude) = ReferenceEnergy(tree, structure);
                // Batched per-atom energies against the reference interpreter.
                var pairs = table.Of(s);
                var atomScale = 0.0;
                for (var i = 0; i < structure.Count; i++) atomScale = Math.Max(atomScale, Math.Abs(evaluator.AtomEnergies[table.AtomOffsets[s] + i]));
                for (var i = 0; i < structure.Count; i++)
                {
                    var distances = new List<double>();
                    for (var p = 0; p < pairs.Count; p++) if (pairs.I[p] == i) distances.Add(pairs.R[p]);
                    var expected = tree.EvaluateAtom(distances.ToArray(), ShortTaper);
                    var actual = evaluator.AtomEnergies[table.AtomOffsets[s] + i];
                    Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Abs(expected) + 1e-12 * atomScale,
                        $"tree {t} ({tree}), {structure.Name}, atom {i}: reference {expected:G17}, batched {actual:G17}");
                    atomsCompared++;
                }

                // The computed energy carries a rounding error of about ε Σ|E_i| times the cancellation inside the atom
                // expression; the stencil turns an error δ into 1.5 δ / h. Random trees do cancel (differences of sums,
                // huge powers), so up to a factor of 600 is allowed: roundoff = 1000 ε Σ|E_i| / h. For well-scaled trees
                // this is far below the relative part; for trees of huge values (|E| ≫ |F|) the check becomes relative to
                // the energy scale, which is all that differences of such energies can tell (counted as roundoff-limited).
                var roundoff = 1000 * MachineEpsilon * magnitude;

                var localForces = new double[3 * structure.Count];
                for (var i = 0; i < structure.Count; i++)
                    for (var a = 0; a < 3; a++) localForces[3 * i + a] = evaluator.Forces[table.AtomOffsets[s] + i][a];
                var forceScale = localForces.Max(Math.Abs);
                for (var i = 0; i < structure.Count && ok; i++)
                {
                    for (var a = 0; a < 3 && ok; a++)
                    {
                        var (slope, truncation) = FiniteDifference.RichardsonDerivative(x => ReferenceEnergy(tree, FiniteDifference.Displaced(structure, i, a, x)).Energy, H);
                        if (!double.IsFinite(slope) || !double.IsFinite(truncation)) { ok = false; break; }
                        var numeric = (-slope, truncation);
                        var (ii, aa, analytic) = (i, a, localForces[3 * i + a]);
                        pending.Add(() => forces.Check(numeric, analytic, forceScale, roundoff / H,
                            $"tree {t} ({tree}), {structure.Name}: force on atom {ii}, component {aa}"));
                    }
                }

                var volume = structure.Cell.Volume;
                var stress = evaluator.Stresses[s];
                var stressScale = Enumerable.Range(0, 6).Max(v => Math.Abs(stress[v]));
                for (var a = 0; a < 3 && ok; a++)
                {
                    for (var b = 0; b < 3 && ok; b++)
                    {
                        var (slope, truncation) = FiniteDifference.RichardsonDerivative(x => ReferenceEnergy(tree, FiniteDifference.Deformed(structure, a, b, x)).Energy, H);
                        if (!double.IsFinite(slope) || !double.IsFinite(truncation)) { ok = false; break; }
                        var numeric = (slope / volume, truncation / volume);
                        var (aa, bb, analytic) = (a, b, stress.Component(a, b));
                        pending.Add(() => stresses.Check(numeric, analytic, stressScale, roundoff / H / volume,
                            $"tree {t} ({tree}), {structure.Name}: stress ({aa},{bb})"));
                    }
                }

                var gradientScale = 0.0;
                for (var k = 0; k < K; k++) gradientScale = Math.Max(gradientScale, Math.Abs(evaluator.EnergyJacobian[s * K + k]));
                for (var k = 0; k < K && ok; k++)
                {
                    var h = H * Math.Max(0.1, Math.Abs(c0[k]));
                    var kk = k;
                    var numeric = FiniteDifference.RichardsonDerivative(x =>
                    {
                        var c = (double[])c0.Clone();
                        c[kk] += x;
                        return ReferenceEnergy(tree.WithConstants(c), structure).Energy;
                    }, h);
                    if (!double.IsFinite(numeric.Value) || !double.IsFinite(numeric.Truncation)) { ok = false; break; }
                    var analytic = evaluator.EnergyJacobian[s * K + k];
                    pending.Add(() => gradients.Check(numeric, analytic, gradientScale, roundoff / h,
                        $"tree {t} ({tree}), {structure.Name}: ∂E/∂c_{kk}"));
                }
            }
            // A tree finite on the structures but not within a step or two of them lies on the edge of its domain.
            if (!ok) { invalidNearby++; continue; }
            foreach (var check in pending) check();
            valid++;
            if (tree.Nodes.ToArray().Any(node => node.Arity == 1 && node.Kind != NodeKind.Sum)) withFunctions++;
        }

        output.WriteLine($"{generated} random trees: {valid} valid and checked ({withFunctions} with functions), {invalid} not finite on the structures, " +
            $"{invalidNearby} not finite within the stencil; {atomsCompared} atom energies against the reference interpreter");
        foreach (var (name, tally) in new[] { ("forces", forces), ("stresses", stresses), ("constant gradient", gradients) })
            output.WriteLine($"{name}: {tally.Entries} entries, {tally.Loose} loose (roundoff or truncation above 1e-6), " +
                $"worst error {tally.WorstRelative:F3} of its tolerance");
        Assert.True(valid >= requiredValid, $"only {valid} valid trees among {generated}");
        Assert.True(withFunctions >= requireFunctions, $"only {withFunctions} valid trees contain exp, log or sqrt");
        // Most checks must be strict ones (1e-6 relative), not merely within the roundoff or truncation of extreme trees.
        foreach (var tally in new[] { forces, stresses, gradients })
            Assert.True(tally.Loose < tally.Entries / 4, $"{tally.Loose} of {tally.Entries} checks are loose");
    }
}
