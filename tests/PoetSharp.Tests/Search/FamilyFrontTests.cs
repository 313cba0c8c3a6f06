using PoetSharp.Data;
using PoetSharp.Models;
using PoetSharp.Mtp;
using PoetSharp.Potentials;
using PoetSharp.Search;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Search;

/// <summary>One front across families: closed forms and MTPs on copper snapshots, errors, measured cost, dominance, files.</summary>
public class FamilyFrontTests
{
    private static readonly FamilyFrontOptions Quick = new() { CostAtoms = 200, TimingSeconds = 0.05, MinTimedCalls = 5, MaxParallelism = 2 };

    [Fact]
    public void NonDominatedKeepsExactlyTheModelsNoOtherBeats()
    {
        var marks = FamilyFront.NonDominated([[1, 5, 1], [2, 2, 2], [3, 3, 3], [1, 5, 1], [0.5, 9, 9], [2, 2, 2.5]]);
        // [3,3,3] is beaten by [2,2,2]; [2,2,2.5] too; equal vectors do not dominate each other.
        Assert.Equal([true, true, false, true, true, false], marks);
    }

    [Fact]
    public void ClosedFormsAndMtpsShareOneFrontWithMeasuredCosts()
    {
        var all = PoetFolder.Read(TestData.Repo("poet", "EAM_Cu", "NVT_FCC_300K"));
        var spread = SearchProblem.Spread(all.Structures, 9);
        var training = new Dataset(spread.Take(6).ToList(), "training");
        var validation = new Dataset(spread.Skip(6).ToList(), "validation");
        var taper = new Taper(3, 5);
        Model Closed(string name, string expression) => new(name, ExpressionParser.ParseModel(expression), 5, taper, ["Cu"]);
        var suttonChen = Closed("Sutton-Chen", SuttonChenRecovery.TrueForm);
        var pair = Closed("pair", "sum(2.1*r^-6)");
        var trained = FamilyFront.TrainMtp(training.Structures, ["Cu"], 5, 6, TimeSpan.FromSeconds(2), threads: 2, maxIterations: 15);
        // An MTP with every coefficient zero: constant energy, no forces, and dearer than the level-6 one.
        var zero = MtpModel.Untrained(10, ["Cu"], trained.MinDistance, 5, 8, 1, trained.Scaling).WithName("zero MTP level 10");
        var candidates = new List<FamilyCandidate>
        {
            new(suttonChen, "SC", SuttonChenRecovery.TrueForm),
            new(pair, "pair", "sum(2.1*r^-6)"),
            new(trained, "L6", "MTP level 6", "models/mtp-06.json"),
            new(zero, "L10 zero", "untrained", "models/mtp-10.json"),
        };
        var result = FamilyFront.Compute(candidates, training, validation, Quick);

        Assert.Equal("validation", result.ErrorSet);
        Assert.Equal(3, result.Objectives.Count);
        Assert.True(result.CostAtoms >= 200, $"{result.CostAtoms} atoms in the timing cell");
        Assert.Equal(["expression", "mtp"], result.Models.Select(m => m.Family).Distinct().Order());
        Member("zero MTP level 10");
        foreach (var m in result.Models)
        {
            Assert.True(m.MicrosecondsPerAtomStep > 0 && double.IsFinite(m.MicrosecondsPerAtomStep), $"{m.Name}: cost {m.MicrosecondsPerAtomStep}");
            Assert.True(m.TimedCalls >= 5);
            Assert.NotNull(m.ValidationEnergyRmse);
            Assert.NotNull(m.ValidationForceRmse);
            Assert.NotNull(m.TrainingForceRmse);
        }
        FamilyMember Member(string name) => result.Models.Single(m => m.Name == name);
        // Complexity is the parameter count of each family.
        Assert.Equal(trained.ParameterCount, Member("MTP level 6").Parameters);
        Assert.Equal(suttonChen.ParameterCount, Member("Sutton-Chen").Parameters);
        // Measured, not modelled: an MTP costs several times a one-term pair sum.
        Assert.True(Member("MTP level 6").MicrosecondsPerAtomStep > 1.5 * Member("pair").MicrosecondsPerAtomStep,
            $"MTP {Member("MTP level 6").MicrosecondsPerAtomStep} µs, pair {Member("pair").MicrosecondsPerAtomStep} µs per atom-step");
        // The trained MTP is both more accurate and cheaper than the zero one.
        Assert.False(Member("zero MTP level 10").OnFront);
        Assert.True(Member("MTP level 6").ValidationForceRmse < Member("zero MTP level 10").ValidationForceRmse);
        // The marking is the non-dominated set of the reported objectives; cheapest first.
        var vectors = result.Models.Select(m => new[] { m.ValidationForceRmse!.Value, m.ValidationEnergyRmse!.Value, m.MicrosecondsPerAtomStep }).ToList();
        Assert.Equal(FamilyFront.NonDominated(vectors), result.Models.Select(m => m.OnFront).ToArray());
        Assert.True(result.Models.Zip(result.Models.Skip(1)).All(p => p.First.MicrosecondsPerAtomStep <= p.Second.MicrosecondsPerAtomStep));
        // The cheapest model is always on the front (nothing is cheaper), whatever its errors.
        Assert.True(result.Models[0].OnFront);

        var dir = TestData.TempDir();
        FamilyFront.Write(dir, result);
        foreach (var f in new[] { "families.json", "families.md", "families.png", "families.svg" })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        var back = FamilyFront.Read(dir)!;
        Assert.Equal(result.Models.Select(m => (m.Name, m.OnFront, m.Parameters)), back.Models.Select(m => (m.Name, m.OnFront, m.Parameters)));
        Assert.Equal(result.Models[0].MicrosecondsPerAtomStep, back.Models[0].MicrosecondsPerAtomStep);
        var md = File.ReadAllText(Path.Combine(dir, "families.md"));
        Assert.Contains("| expression | Sutton-Chen |", md);
        Assert.Contains("| mtp | MTP level 6 |", md);
        Assert.Contains("●", md);
        Assert.Contains("best constant shift", md);
        Assert.Null(FamilyFront.Read(TestData.TempDir()));

        // The MTPs of a folder's families.json, as `poet front --properties` takes them: fewest parameters first, closed forms left out.
        Directory.CreateDirectory(Path.Combine(dir, "models"));
        ModelFile.Write(Path.Combine(dir, "models", "mtp-06.json"), trained, "test");
        ModelFile.Write(Path.Combine(dir, "models", "mtp-10.json"), zero, "test");
        Assert.Equal(["MTP level 6", "zero MTP level 10"], FamilyFront.TrainedReferences(dir).Select(p => p.Name));
        Assert.Empty(FamilyFront.TrainedReferences(TestData.TempDir()));
    }

    [Fact]
    public void TheTimingCellRepeatsTheLargestPeriodicStructure()
    {
        var small = PoetSharp.Atoms.Lattices.Fcc("Cu", 3.6, 1, 1, 1);
        var large = PoetSharp.Atoms.Lattices.Fcc("Cu", 3.6, 2, 2, 2);
        var cell = FamilyFront.CostCell([small, large], 500);
        Assert.True(cell.Count >= 500 && cell.Count % large.Count == 0, $"{cell.Count} atoms");
        Assert.True(cell.Cell.Volume > 0);
        Assert.Equal(large.Cell.Volume * cell.Count / large.Count, cell.Cell.Volume, 6);
    }
}
