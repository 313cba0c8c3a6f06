using PoetSharp.Atoms;
using PoetSharp.Evaluation;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Evaluation;

/// <summary>
/// Angular densities ang_l(g) = Σ_{j,k} φ_j φ_k P_l(cos θ_jik), evaluated through moment tensors, against the explicit
/// double sum over j and k (<see cref="Expression.EvaluateAtom(ReadOnlySpan{Vec3}, ReadOnlySpan{byte}, byte, Taper)"/>)
/// and against finite differences of that double sum (forces, stresses, constant gradient), and the force and stress
/// Jacobians against differences of the evaluated forces; random trees on random two-element cells.
/// </summary>
public class AngularDensityTests(ITestOutputHelper output)
{
    private static readonly Taper ShortTaper = new(2.2, 3.2);
    private const double TaperMargin = 0.03;
    private const double MinDistance = 1.9;
    private static readonly string[] Species = ["Cu", "Ag"];

    private static bool Usable(Structure s)
    {
        var list = NeighbourList.Create(s, ShortTaper.Outer + TaperMargin, half: false);
        for (var i = 0; i < list.AtomCount; i++)
            for (var k = list.Offsets[i]; k < list.Offsets[i + 1]; k++)
            {
                var r = list.Displacement(s.Positions, i, k).Length;
                if (r < MinDistance || Math.Abs(r - ShortTaper.Inner) < TaperMargin || Math.Abs(r - ShortTaper.Outer) < TaperMargin) return false;
            }
        return true;
    }

    private static Structure WithSpecies(Structure s)
    {
        var species = Enumerable.Range(0, s.Count).Select(i => Species[i % 2]).ToArray();
        return new Structure(s.Cell, s.Positions.ToArray(), species, s.Name);
    }

    /// <summary>A rattled two-element fcc cell and a random two-element triclinic cell.</summary>
    private static Structure[] Structures()
    {
        var fcc = Enumerable.Range(1, 100).Select(seed => WithSpecies(Builders.Rattled(Builders.Fcc("Cu", 3.61, 1), 0.12, seed))).First(Usable);
        var triclinic = Enumerable.Range(1, 1000).Select(seed => WithSpecies(Builders.RandomTriclinic(3, 3.2, seed))).First(Usable);
        return [fcc, triclinic];
    }

    /// <summary>Each atom's neighbour vectors within the cutoff and their atomic numbers.</summary>
    private static List<(Vec3[] Vectors, byte[] Elements, byte Element)> Neighbourhoods(Structure s)
    {
        var list = NeighbourList.Create(s, ShortTaper.Outer, half: false);
        var z = new byte[s.Count];
        s.AtomicNumbers(z);
        var result = new List<(Vec3[], byte[], byte)>();
        for (var i = 0; i < s.Count; i++)
        {
            var vectors = new List<Vec3>();
            var elements = new List<byte>();
            for (var k = list.Offsets[i]; k < list.Offsets[i + 1]; k++)
            {
                var d = list.Displacement(s.Positions, i, k);
                if (d.Length >= ShortTaper.Outer) continue;
                vectors.Add(d);
                elements.Add(z[list.Neighbours[k]]);
            }
            result.Add((vectors.ToArray(), elements.ToArray(), z[i]));
        }
        return result;
    }

    /// <summary>The model's energy by the double-sum reference, and Σ_i |E_i|.</summary>
    private static (double Energy, double Magnitude) ReferenceEnergy(Expression e, Structure s)
    {
        double energy = 0, magnitude = 0;
        foreach (var (vectors, elements, element) in Neighbourhoods(s))
        {
            var atom = e.EvaluateAtom(vectors, elements, element, ShortTaper);
            energy += atom;
            magnitude += Math.Abs(atom);
        }
        return (energy, magnitude);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void EachOrderFromMomentsEqualsTheDoubleSum(int order)
    {
        // ang_l(g) over every neighbour and over the Ag neighbours only, with g = 1.7^(−r) (1 − 0.3 r).
        var g = ExpressionParser.Parse("1.7^(-r)*(1 - 0.3*r)");
        foreach (var element in new string?[] { null, "Ag" })
        {
            var e = Expression.Angular(order, g, element);
            var structures = Structures();
            var table = new PairTable(structures, ShortTaper);
            var evaluator = new ModelEvaluator(new CompiledModel(e, ShortTaper), table) { MaxDegreeOfParallelism = 1 };
            Assert.Equal(0, evaluator.Evaluate());
            for (var s = 0; s < structures.Length; s++)
            {
                var hoods = Neighbourhoods(structures[s]);
                for (var i = 0; i < hoods.Count; i++)
                {
                    var (vectors, elements, z) = hoods[i];
                    var expected = e.EvaluateAtom(vectors, elements, z, ShortTaper);
                    // The double sum's scale: (Σ_j |φ_j|)², which ρ_l can be far below by symmetry.
                    var scale = 0.0;
                    for (var j = 0; j < vectors.Length; j++)
                        if (element is null || elements[j] == Elements.AtomicNumber(element))
                            scale += Math.Abs(e.EvaluatePair(g.Length - 1, vectors[j].Length) * ShortTaper.Evaluate(vectors[j].Length).Value);
                    scale *= scale;
                    var actual = evaluator.AtomEnergies[table.AtomOffsets[s] + i];
                    Assert.True(Math.Abs(actual - expected) <= 1e-12 * scale,
                        $"ang{order}[{element}] atom {i} of {structures[s].Name}: moments {actual:G17}, double sum {expected:G17}, scale {scale:G3}");
                }
            }
        }
    }

    [Fact]
    public void OrderZeroIsTheSquareOfTheSumAndOrderOneVanishesInAPerfectCrystal()
    {
        var g = ExpressionParser.Parse("2.1^(-r)");
        var fcc = Lattices.Fcc("Cu", 3.61, 2, 2, 2);
        var taper = new Taper(2.8, 4.2);
        var table = new PairTable([fcc], taper);
        var ang0 = new ModelEvaluator(new CompiledModel(Expression.Angular(0, g), taper), table);
        var square = new ModelEvaluator(new CompiledModel(Expression.Pow(Expression.Sum(g), 2.0), taper), table);
        var ang1 = new ModelEvaluator(new CompiledModel(Expression.Angular(1, g), taper), table);
        ang0.Evaluate(); square.Evaluate(); ang1.Evaluate();
        for (var i = 0; i < fcc.Count; i++)
        {
            Assert.Equal(square.AtomEnergies[i], ang0.AtomEnergies[i], 1e-12 * Math.Abs(square.AtomEnergies[i]));
            // Every site of fcc is a centre of inversion: Σ_j φ_j r̂_j = 0.
            Assert.True(Math.Abs(ang1.AtomEnergies[i]) < 1e-20, $"ang1 {ang1.AtomEnergies[i]}");
        }
    }

    /// <summary>
    /// Why angular densities can fix what radial forms cannot in an fcc metal: in the perfect crystal, and under any
    /// homogeneous strain, every site stays a centre of inversion, so the odd orders (ang1, ang3) are zero there and touch
    /// neither the lattice constant nor the elastic constants, yet they are large at a surface; ang2 is zero in the cubic
    /// crystal and grows as the square of a shear, so it moves the shear constants (C44, C11 − C12) and nothing at zero strain.
    /// </summary>
    [Fact]
    public void InFccTheOddOrdersSeeOnlyDefectsAndOrderTwoOnlyShear()
    {
        var g = ExpressionParser.Parse("2.1^(-r)");
        var taper = new Taper(2.8, 4.2);
        double[] Atoms(Structure s, int order)
        {
            var evaluator = new ModelEvaluator(new CompiledModel(Expression.Angular(order, g), taper), new PairTable([s], taper));
            evaluator.Evaluate();
            return evaluator.AtomEnergies.ToArray();
        }
        var fcc = Lattices.Fcc("Cu", 3.61, 2, 2, 2);
        var rho0 = Atoms(fcc, 0)[0];
        foreach (var order in new[] { 1, 2, 3 })
            Assert.All(Atoms(fcc, order), v => Assert.True(Math.Abs(v) < 1e-12 * rho0, $"ang{order} = {v:G3} in perfect fcc"));

        // A shear ε4 (yz): ang1 and ang3 stay zero; ang2 ∝ ε², so doubling ε multiplies it by 4.
        var small = Atoms(PoetSharp.Properties.Elastic.Strained(fcc, 3, 0.01), 2)[0];
        var twice = Atoms(PoetSharp.Properties.Elastic.Strained(fcc, 3, 0.02), 2)[0];
        Assert.True(Math.Abs(small) > 1e-8 * rho0, $"ang2 under a 1 % shear: {small:G3}");
        Assert.Equal(4.0, twice / small, 0.02);
        foreach (var order in new[] { 1, 3 })
            Assert.All(Atoms(PoetSharp.Properties.Elastic.Strained(fcc, 3, 0.02), order), v => Assert.True(Math.Abs(v) < 1e-12 * rho0, $"ang{order} = {v:G3} under shear"));

        // A (111) slab: an outermost atom has lost 3 of its 12 nearest neighbours, all on one side, so Σ_j φ_j r̂_j no longer
        // cancels: ang1 = |Σ φ r̂|² ≈ (3·0.82 φ)² against the bulk's ρ0² ≈ (12 φ)², about 4 %, where the bulk has exactly 0.
        var slab = DefectBuilders.Slab("Cu", CubicLattice.Fcc, 3.61, 1, 1, 1, 8, 10);
        var top = Enumerable.Range(0, slab.Count).MaxBy(i => slab.Positions[i].Z);
        var meanZ = slab.Positions.ToArray().Average(p => p.Z);
        var middle = Enumerable.Range(0, slab.Count).MinBy(i => Math.Abs(slab.Positions[i].Z - meanZ));
        var ang1 = Atoms(slab, 1);
        Assert.True(ang1[top] > 0.03 * rho0, $"ang1 at the surface {ang1[top]:G3}, ρ0² in the bulk {rho0:G3}");
        Assert.True(ang1[middle] < 1e-3 * ang1[top], $"ang1 mid-slab {ang1[middle]:G3} against {ang1[top]:G3} at the surface");
    }

    private static RandomExpressionOptions AngularOptions => new()
    {
        AngularProbability = 0.7,
        NeighbourElements = Species,
        AnyNeighbourProbability = 0.5,
        MaxPairDepth = 3,
    };

    /// <summary>
    /// Random trees (half of them E = at[Cu](F_Cu) + at[Ag](F_Ag)) with angular densities: per-atom energies against the
    /// double sum, forces, stresses and ∂E/∂c against its finite differences.
    /// </summary>
    [Fact]
    public void RandomAngularTreesMatchTheDoubleSumAndItsFiniteDifferences()
    {
        const double H = 5e-4, Epsilon = 2.220446049250313e-16;
        var structures = Structures();
        var table = new PairTable(structures, ShortTaper);
        var random = new Random(20261205);
        int generated = 0, valid = 0, strictChecks = 0, checks = 0;
        var orders = new int[4];
        while (valid < 60 && generated < 2000)
        {
            var tree = generated++ % 2 == 0
                ? RandomExpressions.Atom(random, AngularOptions)
                : RandomExpressions.PerElement(random, Species, AngularOptions);
            if (tree.AngularCount == 0) continue;
            var evaluator = new ModelEvaluator(new CompiledModel(tree, ShortTaper), table) { MaxDegreeOfParallelism = 1 };
            if (evaluator.Evaluate(withEnergyJacobian: true) > 0) continue;
            var K = tree.ConstantCount;
            var c0 = tree.Constants.ToArray();
            var pending = new List<(double Numeric, double Truncation, double Analytic, double Scale, double Roundoff, string What)>();
            var ok = true;
            for (var s = 0; s < structures.Length && ok; s++)
            {
                var structure = structures[s];
                var (_, magnitude) = ReferenceEnergy(tree, structure);
                var hoods = Neighbourhoods(structure);
                for (var i = 0; i < structure.Count; i++)
                {
                    var (vectors, elements, z) = hoods[i];
                    var expected = tree.EvaluateAtom(vectors, elements, z, ShortTaper);
                    var actual = evaluator.AtomEnergies[table.AtomOffsets[s] + i];
                    Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Abs(expected) + 1e-11 * magnitude,
                        $"{tree}, {structure.Name}, atom {i}: double sum {expected:G17}, moments {actual:G17}");
                }
                var roundoff = 1000 * Epsilon * magnitude;
                var forceScale = Enumerable.Range(0, structure.Count).Max(i => Math.Abs(evaluator.Forces[table.AtomOffsets[s] + i].Length));
                for (var i = 0; i < structure.Count && ok; i++)
                    for (var a = 0; a < 3 && ok; a++)
                    {
                        var (slope, truncation) = FiniteDifference.RichardsonDerivative(x => ReferenceEnergy(tree, FiniteDifference.Displaced(structure, i, a, x)).Energy, H);
                        if (!double.IsFinite(slope) || !double.IsFinite(truncation)) { ok = false; break; }
                        pending.Add((-slope, truncation, evaluator.Forces[table.AtomOffsets[s] + i][a], forceScale, roundoff / H, $"force {i},{a}"));
                    }
                var volume = structure.Cell.Volume;
                var stress = evaluator.Stresses[s];
                var stressScale = Enumerable.Range(0, 6).Max(v => Math.Abs(stress[v]));
                for (var a = 0; a < 3 && ok; a++)
                    for (var b = 0; b < 3 && ok; b++)
                    {
                        var (slope, truncation) = FiniteDifference.RichardsonDerivative(x => ReferenceEnergy(tree, FiniteDifference.Deformed(structure, a, b, x)).Energy, H);
                        if (!double.IsFinite(slope) || !double.IsFinite(truncation)) { ok = false; break; }
                        pending.Add((slope / volume, truncation / volume, stress.Component(a, b), stressScale, roundoff / H / volume, $"stress {a},{b}"));
                    }
                var gradientScale = Enumerable.Range(0, K).Select(k => Math.Abs(evaluator.EnergyJacobian[s * K + k])).DefaultIfEmpty(0).Max();
                for (var k = 0; k < K && ok; k++)
                {
                    var h = H * Math.Max(0.1, Math.Abs(c0[k]));
                    var kk = k;
                    var (slope, truncation) = FiniteDifference.RichardsonDerivative(x =>
                    {
                        var c = (double[])c0.Clone();
                        c[kk] += x;
                        return ReferenceEnergy(tree.WithConstants(c), structure).Energy;
                    }, h);
                    if (!double.IsFinite(slope) || !double.IsFinite(truncation)) { ok = false; break; }
                    pending.Add((slope, truncation, evaluator.EnergyJacobian[s * K + k], gradientScale, roundoff / h, $"dE/dc_{k}"));
                }
            }
            if (!ok) continue;
            foreach (var (numeric, truncation, analytic, scale, roundoff, what) in pending)
            {
                var strict = 1e-6 * (Math.Abs(analytic) + 1e-3 * scale);
                var allowed = strict + roundoff + truncation;
                Assert.True(Math.Abs(numeric - analytic) <= allowed,
                    $"{tree}: {what}: analytic {analytic:G15}, finite difference {numeric:G15}, allowed {allowed:G3}");
                checks++;
                if (roundoff + truncation <= strict) strictChecks++;
            }
            valid++;
            foreach (var node in tree.Nodes) if (Nodes.IsAngular(node.Kind)) orders[Nodes.AngularOrder(node.Kind)]++;
        }
        output.WriteLine($"{generated} trees, {valid} valid with angular densities (orders 0-3: {string.Join(", ", orders)}); {checks} checks, {strictChecks} strict");
        Assert.True(valid >= 60, $"only {valid} valid angular trees among {generated}");
        Assert.All(orders, n => Assert.True(n >= 5, $"orders drawn: {string.Join(", ", orders)}"));
        Assert.True(strictChecks > checks * 3 / 4, $"{strictChecks} of {checks} checks strict");
    }

    /// <summary>∂F/∂c and ∂σ/∂c of angular trees against central differences of the evaluated forces and stresses.</summary>
    [Fact]
    public void ForceAndStressJacobiansOfAngularTreesMatchFiniteDifferences()
    {
        var structures = Structures();
        var table = new PairTable(structures, ShortTaper);
        var random = new Random(7);
        int valid = 0, entries = 0;
        for (var t = 0; t < 2000 && valid < 40; t++)
        {
            var tree = t % 2 == 0 ? RandomExpressions.Atom(random, AngularOptions) : RandomExpressions.PerElement(random, Species, AngularOptions);
            if (tree.AngularCount == 0 || tree.ConstantCount == 0) continue;
            var evaluator = new ModelEvaluator(new CompiledModel(tree, ShortTaper), table) { MaxDegreeOfParallelism = 1 };
            var c0 = tree.Constants.ToArray();
            if (evaluator.Evaluate(c0, EvaluationOutputs.ForceAndStressJacobian) > 0) continue;
            var K = c0.Length;
            var forceJacobian = evaluator.ForceJacobian.ToArray();
            var stressJacobian = evaluator.StressJacobian.ToArray();
            (double[] Forces, double[] Stresses)? At(int k, double x)
            {
                var c = (double[])c0.Clone();
                c[k] += x;
                if (evaluator.Evaluate(c) > 0) return null;
                var forces = evaluator.Forces.SelectMany(f => new[] { f.X, f.Y, f.Z }).ToArray();
                var stresses = evaluator.Stresses.SelectMany(s => Enumerable.Range(0, 6).Select(v => s[v])).ToArray();
                return (forces, stresses);
            }
            // Roundoff of the differences: what the forces and energies lose to cancellation, over the step.
            var magnitude = evaluator.Forces.Max(f => Math.Max(Math.Abs(f.X), Math.Max(Math.Abs(f.Y), Math.Abs(f.Z)))) + evaluator.AtomEnergies.Sum(Math.Abs);
            var ok = true;
            var pending = new List<(double Numeric, double Fine, double Analytic, double Scale, double Roundoff, string What)>();
            for (var k = 0; k < K && ok; k++)
            {
                var h = 1e-4 * Math.Max(1e-2, Math.Abs(c0[k]));
                if (At(k, h) is not { } p1 || At(k, -h) is not { } m1 || At(k, 2 * h) is not { } p2 || At(k, -2 * h) is not { } m2
                    || At(k, h / 10) is not { } q1 || At(k, -h / 10) is not { } n1 || At(k, h / 5) is not { } q2 || At(k, -h / 5) is not { } n2)
                { ok = false; break; }
                double Numeric(double[] a1, double[] b1, double[] a2, double[] b2, int x, double step) => (8 * (a1[x] - b1[x]) - (a2[x] - b2[x])) / (12 * step);
                var forceScale = Enumerable.Range(0, forceJacobian.Length / K).Max(x => Math.Abs(forceJacobian[x * K + k]));
                for (var x = 0; x < p1.Forces.Length; x++)
                    pending.Add((Numeric(p1.Forces, m1.Forces, p2.Forces, m2.Forces, x, h), Numeric(q1.Forces, n1.Forces, q2.Forces, n2.Forces, x, h / 10),
                        forceJacobian[x * K + k], forceScale, 1e-12 * magnitude / h, $"dF_{x}/dc_{k}"));
                var stressScale = Enumerable.Range(0, stressJacobian.Length / K).Max(x => Math.Abs(stressJacobian[x * K + k]));
                for (var x = 0; x < p1.Stresses.Length; x++)
                    pending.Add((Numeric(p1.Stresses, m1.Stresses, p2.Stresses, m2.Stresses, x, h), Numeric(q1.Stresses, n1.Stresses, q2.Stresses, n2.Stresses, x, h / 10),
                        stressJacobian[x * K + k], stressScale, 1e-12 * magnitude / h, $"dσ_{x}/dc_{k}"));
            }
            if (!ok) continue;
            foreach (var (numeric, fine, analytic, scale, roundoff, what) in pending)
            {
                // A miss at the coarse step is checked again at a tenth of it (stiff trees), as the plain Jacobian tests do.
                bool Agrees(double n, double allowance) => Math.Abs(n - analytic) <= 1e-5 * Math.Abs(n) + 1e-5 * scale + allowance;
                Assert.True(Agrees(numeric, roundoff) || Agrees(fine, 10 * roundoff), $"{tree}: {what}: analytic {analytic:G15}, differences {numeric:G15} / {fine:G15}");
                entries++;
            }
            valid++;
        }
        output.WriteLine($"{valid} angular trees, {entries} Jacobian entries checked");
        Assert.True(valid >= 40, $"only {valid} valid trees");
    }

    /// <summary>Once warm, evaluations of an angular model allocate nothing, the Jacobians included.</summary>
    [Fact]
    public void AngularEvaluationDoesNotAllocateOnceWarm()
    {
        var structures = Structures();
        var model = ExpressionParser.ParseModel("sum(5*r^-9) - (ang0[Cu](0.4^r) + 0.5*ang2(0.4^r) + 0.3*ang3[Ag](r^-2))^0.5 + ang1(r^-4)");
        var evaluator = new ModelEvaluator(new CompiledModel(model, ShortTaper), new PairTable(structures, ShortTaper)) { MaxDegreeOfParallelism = 1 };
        Assert.Equal(0, evaluator.Evaluate(EvaluationOutputs.AllJacobians));
        var before = GC.GetAllocatedBytesForCurrentThread();
        evaluator.Evaluate(EvaluationOutputs.ForceAndStressJacobian);
        evaluator.Evaluate(EvaluationOutputs.AllJacobians);
        evaluator.Evaluate(withEnergyJacobian: true);
        evaluator.Evaluate();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
