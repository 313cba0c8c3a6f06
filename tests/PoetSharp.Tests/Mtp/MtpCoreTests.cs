using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Models;
using PoetSharp.Mtp;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Mtp;

/// <summary>The short-range core of an MTP (<see cref="MtpCore"/>): derivatives, training, physics, files, and ZBL against LAMMPS.</summary>
public class MtpCoreTests
{
    private static readonly string[] CuNi = ["Cu", "Ni"];

    // Inner radii that the compressed cells below cross: Cu–Cu 2.6, Cu–Ni 2.5, Ni–Ni 2.4 Å, clamped and switched over 0.5 Å.
    private static MtpCore Core(string[] elements) => new([2.6, 2.5, 2.5, 2.4], 0.5, elements);

    private static MtpModel WithCore(int level, int seed) => MtpModelTests.RandomModel(level, CuNi, seed).WithCore(Core(CuNi));

    // Rattled fcc Cu–Ni at a = 3.1 Å: neighbours at 1.9–2.5 Å, in the switch and inside it.
    private static Structure Compressed(int seed, bool slab = false) => MtpModelTests.Alloy(seed, slab, a: 3.1);

    // The structure labelled with the potential's energy, forces and (fully periodic cells) stress.
    private static Structure Label(IPotential potential, Structure s)
    {
        var r = potential.Compute(s);
        s.Energy = r.Energy;
        s.Forces = r.Forces.ToArray();
        if (s.Cell.FullyPeriodic) s.Stress = r.Stress;
        return s;
    }

    private static int PairsInside(Structure s, double below)
    {
        var list = NeighbourList.Create(s, below, half: true);
        return list.PairCount;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ForcesStressAndAtomEnergiesMatchFiniteDifferencesInsideTheCore(bool slab)
    {
        var s = Compressed(3, slab);
        Assert.True(PairsInside(s, 2.0) > 0, "no pair lies fully inside the core: the test would not exercise ZBL alone");
        Assert.True(PairsInside(s, 2.6) > PairsInside(s, 2.0), "no pair lies in the switch");
        var potential = new MtpPotential(WithCore(10, 1));
        FiniteDifference.AssertAtomEnergiesSum(potential, s);
        FiniteDifference.AssertForces(potential, s, h: 1e-5, atol: 1e-5, rtol: 1e-6, maxAtoms: 12);
        if (!slab) FiniteDifference.AssertStress(potential, s, h: 1e-6, atol: 1e-6, rtol: 1e-6);
    }

    [Fact]
    public void LossGradientWithACoreMatchesFiniteDifferences()
    {
        var teacher = WithCore(8, 3);
        var labeller = new MtpPotential(teacher, threads: 1);
        var data = Enumerable.Range(0, 4).Select(k => Label(labeller, Compressed(20 + k, slab: k == 3))).ToList();
        var trainer = new MtpTrainer(data, CuNi, teacher.Cutoff, new MtpLossWeights(1, 0.05, 0.01), threads: 1);
        var model = MtpModelTests.RandomModel(8, CuNi, 21).WithCore(Core(CuNi));
        var analytic = new double[model.ParameterCount];
        trainer.LossAndGradient(model, analytic);
        var p = model.Parameters();
        var span = new double[model.ParameterCount];
        var nonZero = 0;
        for (var k = 0; k < model.RadialParameterCount; k += 3)
        {
            var h = 1e-5 * Math.Max(1, Math.Abs(p[k]));
            var plus = (double[])p.Clone(); plus[k] += h;
            var minus = (double[])p.Clone(); minus[k] -= h;
            var numeric = (trainer.LossAndGradient(model.WithParameters(plus), span).Loss - trainer.LossAndGradient(model.WithParameters(minus), span).Loss) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[k]) <= 1e-5 * (1 + Math.Abs(numeric)), $"parameter {k}: analytic {analytic[k]}, numeric {numeric}");
            if (Math.Abs(numeric) > 1e-8) nonZero++;
        }
        Assert.True(nonZero > model.RadialParameterCount / 6, "too few radial derivatives were non-zero to test anything");
    }

    [Fact]
    public void TheLinearSolveTakesTheCoreOffTheTargets()
    {
        // Labels from a teacher with a core, on cells whose pairs reach into it: with the teacher's radial functions the
        // linear solve must give back the teacher exactly, which it can only if the core's share is taken off first.
        var teacher = WithCore(10, 5);
        var potential = new MtpPotential(teacher, threads: 1);
        var data = Enumerable.Range(0, 16).Select(k => Label(potential, MtpModelTests.Alloy(40 + k, slab: k % 4 == 3, a: 3.1 + 0.1 * (k % 5)))).ToList();
        var trainer = new MtpTrainer(data, CuNi, teacher.Cutoff, new MtpLossWeights(), ridge: 0);
        var solved = trainer.SolveLinear(teacher.WithLinear(new double[2], new double[teacher.Basis.ScalarCount]));
        var (_, eRmse, fRmse) = trainer.LossAndGradient(solved, new double[solved.ParameterCount]);
        Assert.True(eRmse < 1e-7 && fRmse < 1e-6, $"energy RMSE {eRmse} eV/atom, force RMSE {fRmse} eV/Å with the teacher's radial functions and core");
        // The same solve without the core cannot fit these labels.
        var bare = new MtpTrainer(data, CuNi, teacher.Cutoff, new MtpLossWeights(), ridge: 0);
        var wrong = bare.SolveLinear(teacher.WithCore(null).WithLinear(new double[2], new double[teacher.Basis.ScalarCount]));
        var (_, eBare, _) = bare.LossAndGradient(wrong, new double[wrong.ParameterCount]);
        Assert.True(eBare > 1e3 * eRmse + 1e-6, $"without the core the solve still fits ({eBare} eV/atom): the test cannot see the core");
    }

    [Fact]
    public void ACoreFromTheTrainingDataChangesNothingOnThoseData()
    {
        var teacher = MtpModelTests.RandomModel(10, CuNi, 6);
        var data = MtpTrainerTests.Labelled(teacher, 6, 50);
        var trainer = new MtpTrainer(data, CuNi, teacher.Cutoff, new MtpLossWeights(), threads: 1);
        var core = trainer.Core(0.5);
        var shortest = MtpCore.ShortestDistances(data, CuNi, teacher.Cutoff);
        for (var k = 0; k < 4; k++)
        {
            Assert.True(core.Inner[k] <= shortest[k] && core.Inner[k] > shortest[k] - 0.01, $"pair {k}: inner radius {core.Inner[k]} against the shortest distance {shortest[k]}");
        }
        var with = new MtpPotential(teacher.WithCore(core), threads: 1);
        var without = new MtpPotential(teacher, threads: 1);
        foreach (var s in data)
        {
            var a = with.Compute(s);
            var b = without.Compute(s);
            Assert.Equal(b.Energy, a.Energy);
            Assert.Equal(b.Forces.ToArray(), a.Forces.ToArray());
            Assert.Equal(b.Stress, a.Stress);
        }
    }

    [Fact]
    public void APairNeverSeenWithinTheCutoffGetsTheCutoffAsItsInnerRadius()
    {
        // Pure Cu data: the Ni pairs never occur, so their radial functions are switched off up to the cutoff.
        var teacher = MtpModelTests.RandomModel(8, CuNi, 7);
        var cu = Enumerable.Range(0, 3).Select(k =>
        {
            var s = Builders.Rattled(Lattices.Fcc("Cu", 3.6, 2, 2, 2), 0.1, 60 + k);
            s.Energy = 0;
            return s;
        }).ToList();
        var core = new MtpTrainer(cu, CuNi, teacher.Cutoff, new MtpLossWeights(), threads: 1).Core(0.5);
        Assert.True(core.Inner[0] < 2.6, $"Cu–Cu inner radius {core.Inner[0]}");
        Assert.Equal(teacher.Cutoff, core.Inner[1]);
        Assert.Equal(teacher.Cutoff, core.Inner[3]);
    }

    [Fact]
    public void ACompressedDimerIsRepelledWhereTheBareModelIsNot()
    {
        // A Cu–Ni dimer in vacuum pushed below the core: the energy rises steeply and monotonically as r falls, whatever the
        // random MTP does there without the core; without it, this model has no such wall.
        var random = MtpModelTests.RandomModel(10, CuNi, 8);
        // This random model's own extrapolation happens to repel; with its moment coefficients negated it attracts.
        var model = random.WithLinear(random.SpeciesCoefficients, random.MomentCoefficients.Select(w => -w).ToArray());
        var cored = new MtpPotential(model.WithCore(Core(CuNi)), threads: 1);
        double Energy(IPotential p, double r) => p.Compute(Dimer(r)).Energy;
        var previous = double.NegativeInfinity;
        for (var r = 1.9; r >= 0.5; r -= 0.1)
        {
            var e = Energy(cored, r);
            Assert.True(e > previous, $"core: E({r:F1} Å) = {e} eV is not above E({r + 0.1:F1} Å) = {previous} eV");
            previous = e;
        }
        Assert.True(Energy(cored, 0.5) - Energy(cored, 2.0) > 100, "the core repels too weakly at 0.5 Å");
        var bare = new MtpPotential(model, threads: 1);
        var steps = Enumerable.Range(0, 14).Select(k => 1.9 - 0.1 * k).ToArray();
        Assert.False(steps.Zip(steps.Skip(1)).All(p => Energy(bare, p.Second) > Energy(bare, p.First)) && Energy(bare, 0.5) - Energy(bare, 2.0) > 100,
            "the bare model is already as repulsive: the test cannot see the core");
    }

    private static Structure Dimer(double r) =>
        new(new Cell(new Vec3(20, 0, 0), new Vec3(0, 20, 0), new Vec3(0, 0, 20), false, false, false), [new Vec3(5, 5, 5), new Vec3(5 + r, 5, 5)], ["Cu", "Ni"], "dimer");

    [Fact]
    public void TheSwitchIsSmoothAndTheRepulsionIsZbl()
    {
        var core = new MtpCore([2.0, 2.0, 2.0, 2.0], 0.5, ["Li", "S"]);
        // S: 0 below r_in − w, 1 from r_in, continuous with its first two derivatives at both ends.
        Assert.Equal(0, core.Switch(0, 1.5, out var d0));
        Assert.Equal(0, d0);
        Assert.Equal(1, core.Switch(0, 2.0, out var d1));
        Assert.Equal(0, d1);
        Assert.Equal(0.5, core.Switch(0, 1.75, out _), 12);
        const double h = 1e-6;
        foreach (var r in new[] { 1.5 + 1e-3, 1.6, 1.75, 1.9, 2.0 - 1e-3 })
        {
            var numeric = (core.Switch(0, r + h, out _) - core.Switch(0, r - h, out _)) / (2 * h);
            core.Switch(0, r, out var analytic);
            Assert.Equal(numeric, analytic, 6);
            var numericPair = (core.PairEnergy(1, r + h, out _) - core.PairEnergy(1, r - h, out _)) / (2 * h);
            core.PairEnergy(1, r, out var slope);
            Assert.True(Math.Abs(numericPair - slope) < 1e-6 * (1 + Math.Abs(slope)), $"pair slope at {r}: {slope} against {numericPair}");
        }
        // ρ: r itself from r_in on, r_in − w below r_in − w, monotone and C² between.
        Assert.Equal(2.0, core.Clamp(0, 2.0, out var c1));
        Assert.Equal(1, c1);
        Assert.Equal(1.5, core.Clamp(0, 1.2, out var c0));
        Assert.Equal(0, c0);
        var last = 1.5;
        foreach (var r in new[] { 1.5 + 1e-3, 1.6, 1.75, 1.9, 2.0 - 1e-3 })
        {
            var numeric = (core.Clamp(0, r + h, out _) - core.Clamp(0, r - h, out _)) / (2 * h);
            var rho = core.Clamp(0, r, out var analytic);
            Assert.Equal(numeric, analytic, 6);
            Assert.True(rho > last && rho <= r, $"ρ({r}) = {rho}");
            last = rho;
        }
        Assert.True(Math.Abs(core.Clamp(0, 2.0 - 1e-4, out var nearTop) - (2.0 - 1e-4)) < 1e-9 && Math.Abs(nearTop - 1) < 1e-6, "ρ does not join r smoothly at r_in");
        // ZBL at r → 0 tends to the bare Coulomb repulsion of the nuclei (the screening sums to 1).
        var tiny = 1e-4;
        Assert.Equal(MtpCore.CoulombConstant * 3 * 16 / tiny, core.Repulsion(1, tiny, out _), 1e-3 * MtpCore.CoulombConstant * 48 / tiny);
    }

    [LammpsFact]
    public void ZblForcesEqualLammpsPairZbl()
    {
        // LAMMPS's pair_style zbl is pure ZBL below its inner radius (its switch only adds a constant there), so forces on
        // Li–S, Li–Li and S–S dimers at 0.8–2.2 Å, and energy differences, must equal the core's with its MTP part zero.
        var elements = new[] { "Li", "S" };
        var bare = MtpModel.Untrained(4, elements, 0.5, 5.0, radialBasisSize: 4);
        var model = bare.WithRadial(new double[bare.RadialParameterCount]).WithCore(new MtpCore([4.0, 4.0, 4.0, 4.0], 0.5, elements));
        var potential = new MtpPotential(model, threads: 1);
        var pair = new LammpsPair("zbl 3.0 4.0", ["{type:Li} {type:Li} 3 3", "{type:Li} {type:S} 3 16", "{type:S} {type:S} 16 16"], elements);
        foreach (var (a, b) in new[] { ("Li", "S"), ("Li", "Li"), ("S", "S") })
        {
            double? previousOurs = null, previousLammps = null;
            foreach (var r in new[] { 0.8, 1.4, 2.2 })
            {
                var s = new Structure(new Cell(new Vec3(30, 0, 0), new Vec3(0, 30, 0), new Vec3(0, 0, 30)), [new Vec3(10, 10, 10), new Vec3(10 + r, 10, 10)], [a, b], "dimer");
                var ours = potential.Compute(s);
                var lammps = Lammps.Compute(s, pair);
                for (var i = 0; i < 2; i++)
                    Assert.True((ours.Forces[i] - lammps.Forces[i]).Length < 1e-6 * (1 + lammps.Forces[i].Length),
                        $"{a}–{b} at {r} Å, atom {i}: ours {ours.Forces[i]}, LAMMPS {lammps.Forces[i]}");
                if (previousOurs is { } po && previousLammps is { } pl)
                    Assert.Equal(pl - lammps.Energy, po - ours.Energy, 6);
                previousOurs = ours.Energy;
                previousLammps = lammps.Energy;
            }
        }
    }

    [Fact]
    public void AModelFileKeepsTheCoreAndAnMtpFileDoesNot()
    {
        var dir = TestData.TempDir();
        var model = WithCore(8, 9).WithName("cored");
        var file = Path.Combine(dir, "model.json");
        ModelFile.Write(file, model);
        var back = Assert.IsType<MtpModel>(ModelFile.ReadAny(file));
        Assert.NotNull(back.Core);
        Assert.Equal(model.Core!.Inner, back.Core!.Inner);
        Assert.Equal(model.Core.Width, back.Core.Width);
        var s = Compressed(11);
        Assert.Equal(new MtpPotential(model).Compute(s).Energy, new MtpPotential(back).Compute(s).Energy);
        Assert.Contains("\"Cu-Ni\": 2.5", File.ReadAllText(file));
        // MLIP's format has no place for it.
        Assert.Null(MtpFile.Parse(MtpFile.Format(model), "x.mtp", CuNi).Core);
    }

    [Theory]
    [InlineData("\"repulsion\": \"zbl\", \"width\": 0.5, \"inner\": {\"Cu-Cu\": 2.6, \"Cu-Ni\": 2.5}", "lacks the pair Ni-Ni")]
    [InlineData("\"repulsion\": \"zbl\", \"width\": 0.5, \"inner\": {\"Cu-Cu\": 2.6, \"Cu-Ni\": 2.5, \"Ni-Cu\": 2.5, \"Ni-Ni\": 2.4}", "twice")]
    [InlineData("\"repulsion\": \"zbl\", \"width\": 0.5, \"inner\": {\"Cu-Cu\": 2.6, \"Cu-Fe\": 2.5, \"Ni-Ni\": 2.4}", "not a pair of the species")]
    [InlineData("\"repulsion\": \"zbl\", \"width\": 0.5, \"inner\": {\"Cu-Cu\": \"x\", \"Cu-Ni\": 2.5, \"Ni-Ni\": 2.4}", "must be a number")]
    [InlineData("\"repulsion\": \"zbl\", \"width\": 3.0, \"inner\": {\"Cu-Cu\": 2.6, \"Cu-Ni\": 2.5, \"Ni-Ni\": 2.4}", "must exceed the switching width")]
    [InlineData("\"repulsion\": \"zbl\", \"width\": 0.5, \"inner\": {\"Cu-Cu\": 9.0, \"Cu-Ni\": 2.5, \"Ni-Ni\": 2.4}", "exceeds the cutoff")]
    [InlineData("\"repulsion\": \"buckingham\", \"width\": 0.5, \"inner\": {\"Cu-Cu\": 2.6, \"Cu-Ni\": 2.5, \"Ni-Ni\": 2.4}", "not known")]
    [InlineData("\"width\": 0.5, \"inner\": {\"Cu-Cu\": 2.6, \"Cu-Ni\": 2.5, \"Ni-Ni\": 2.4}", "needs repulsion, width and inner")]
    [InlineData("\"repulsion\": \"zbl\", \"width\": 0.5, \"inner\": {\"Cu-Cu\": 2.6, \"Cu-Ni\": 2.5, \"Ni-Ni\": 2.4}, \"extra\": 1", "unknown core field")]
    public void ABadCoreIsAnErrorNamingTheFileAndLine(string fields, string reason)
    {
        var dir = TestData.TempDir();
        var good = Path.Combine(dir, "good.json");
        ModelFile.Write(good, MtpModelTests.RandomModel(6, CuNi, 2).WithName("m"));
        var json = File.ReadAllText(good);
        var bad = Path.Combine(dir, "bad.json");
        File.WriteAllText(bad, json.Replace("  \"provenance\"", "  \"core\": {" + fields + "},\n  \"provenance\""));
        var e = Assert.Throws<DataFormatException>(() => ModelFile.ReadAny(bad));
        Assert.Contains("bad.json", e.Message);
        Assert.NotNull(e.Line);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void ACoreInAnExpressionModelFileIsAnError()
    {
        var dir = TestData.TempDir();
        var file = Path.Combine(dir, "expr.json");
        ModelFile.Write(file, new Model("lj", ExpressionParser.Parse("sum(r^-6)"), 5.0, new Taper(3, 5), ["Cu"]));
        File.WriteAllText(file, File.ReadAllText(file).Replace("  \"provenance\"", "  \"core\": {},\n  \"provenance\""));
        var e = Assert.Throws<DataFormatException>(() => ModelFile.ReadAny(file));
        Assert.Contains("belongs to family 'mtp'", e.Message);
    }
}
