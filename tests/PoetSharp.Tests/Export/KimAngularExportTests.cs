using PoetSharp.Atoms;
using PoetSharp.Export;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Export;

/// <summary>Models with angular densities for the exports: every order, over all neighbours and over one element's.</summary>
public static class AngularCases
{
    /// <summary>One element: Sutton–Chen-like with ang0..ang3 (ang0 inside the square root, the others added).</summary>
    public static Model Copper { get; } = new("AngularCu", ExpressionParser.ParseModel(
        "sum(645.7*r^-9) - 22.97*sqrt(sum(r^-6) + 0.5*ang0(0.3*r^-3)) + 3000*ang2(r^-6) + 1000*ang1(r^-6) + 500*ang3(0.4^r*r^-4)"),
        5.0, Taper.Copper, ["Cu"]) { Provenance = "test model" };

    /// <summary>Two elements: per-element terms with species-resolved angular densities of several orders.</summary>
    public static Model Alloy { get; } = new("AngularCuNi", ExpressionParser.ParseModel(
        "at[Cu](sum(645.7*r^-9) - 22.97*sum(r^-6)^0.5 + 3000*ang2[Ni](r^-6) + 800*ang1(r^-6)) + " +
        "at[Ni](sum(600*r^-9) - 20*sqrt(sum[Cu](r^-6) + ang0[Ni](0.2*r^-3)) + 1000*ang3[Cu](r^-6) + 500*ang2(0.5^r))"),
        5.0, Taper.Copper, ["Cu", "Ni"]) { Provenance = "test model" };
}

/// <summary>Builds the angular models as KIM portable models once, into the test run's KIM collection.</summary>
public sealed class KimAngularFixture
{
    public Dictionary<string, (Model Model, string Item)> Models { get; } = [];

    public KimAngularFixture()
    {
        if (!Requirements.Available(External.Kim) || !Requirements.Available(External.Lammps)) return;
        _ = KimTestCollection.Folder;
        var sources = TestData.TempDir();
        var items = new[] { AngularCases.Copper, AngularCases.Alloy }
            .Select(m => (Model: m, Item: "PoetSharpTest_" + m.Name + "_" + string.Join("", m.Species))).ToArray();
        Parallel.ForEach(items, x => KimExport.Install(KimExport.Write(x.Model, sources, x.Item)));
        foreach (var x in items) Models[x.Model.Name] = x;
    }
}

/// <summary>
/// Angular densities in the KIM export, run by LAMMPS (pair_style kim, output at full precision) and compared with
/// <see cref="ModelPotential"/>: energy, per-atom energies, forces (their transverse parts included) and stress agree
/// to 1e-10 relative, far below the exports' general tolerances.
/// </summary>
[Collection("KIM models")]
public class KimAngularExportTests(KimAngularFixture fixture, ITestOutputHelper log) : IClassFixture<KimAngularFixture>
{
    private const double Relative = 1e-10;

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        for (var s = 0; s < 4; s++) data.Add(AngularCases.Copper.Name, s);
        for (var s = 0; s < AlloyCases.StructureCount; s++) data.Add(AngularCases.Alloy.Name, s);
        return data;
    }

    [NeedsTheory(External.Lammps | External.Kim)]
    [MemberData(nameof(Cases))]
    public void LammpsRunsAngularModelsAndMatchesOurs(string name, int structure)
    {
        var (model, item) = fixture.Models[name];
        Assert.True(KimTestCollection.Installed(item), $"{item} not installed in the test collection");
        var s = model.Species.Count == 1 ? ExportCases.Structure(structure) : AlloyCases.Structure(structure);
        var ours = new ModelPotential(model.Expression, model.Taper, model.Species).Compute(s);
        var lammps = Lammps.Compute(s, LammpsPair.Kim(item, [.. model.Species]));

        var energyScale = Math.Max(1, Enumerable.Range(0, s.Count).Sum(i => Math.Abs(ours.AtomEnergies[i])));
        var forceScale = Enumerable.Range(0, s.Count).Max(i => ours.Forces[i].Length);
        var stressScale = ours.Stress.ToVoigt().Max(Math.Abs);
        var energy = Math.Abs(ours.Energy - lammps.Energy) / energyScale;
        var atom = Enumerable.Range(0, s.Count).Max(i => Math.Abs(ours.AtomEnergies[i] - lammps.AtomEnergies[i]) / Math.Max(1, Math.Abs(ours.AtomEnergies[i])));
        var force = Enumerable.Range(0, s.Count).Max(i => (ours.Forces[i] - lammps.Forces[i]).Length) / forceScale;
        var a = ours.Stress.ToVoigt();
        var b = lammps.Stress.ToVoigt();
        var stress = Enumerable.Range(0, 6).Max(v => Math.Abs(a[v] - b[v])) / stressScale;
        log.WriteLine($"{name} KIM in LAMMPS on {s.Name}: relative ΔE {energy:E2}, ΔE_i {atom:E2}, ΔF {force:E2} (of {forceScale:G3} eV/Å), Δσ {stress:E2} (of {stressScale:G3} eV/Å³)");
        Assert.True(energy < Relative, $"energy differs by {energy:E2} relative");
        Assert.True(atom < Relative, $"an atom energy differs by {atom:E2} relative");
        Assert.True(force < Relative, $"a force differs by {force:E2} relative");
        Assert.True(stress < Relative, $"stress differs by {stress:E2} relative");
    }
}

/// <summary>The generated C++ of an angular model, without building it.</summary>
public class KimAngularSourceTests
{
    [Fact]
    public void TheSourceHasTheMomentsAndEveryDensitysPairFunction()
    {
        var folder = KimExport.Write(AngularCases.Alloy, TestData.TempDir(), "PoetSharp_AngularCuNi");
        var source = File.ReadAllText(Path.Combine(folder, "model.cpp"));
        Assert.Contains("inline double MomentProject(", source);
        // Nine neighbour sums, plain and angular, numbered together in node order: Pair0..Pair8 and their orders.
        Assert.Contains("inline void Pair8(", source);
        Assert.Contains("int const kSumOrder[] = {-1, -1, 2, 1, -1, -1, 0, 3, 2};", source);
    }
}
