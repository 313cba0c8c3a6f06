using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Export;

/// <summary>The published models, Sutton–Chen in POET's form, and the structures exports are checked on.</summary>
internal static class ExportCases
{
    public static Model Gp1 => Create("GP1", "sum(r^(10.21 - 5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1");
    public static Model Gp2 => Create("GP2", "7.33*sum(r^(3.98 - 3.94*r)) + (27.32 - sum(11.13 + 0.03*r^(11.74 - 2.93*r)))*sum(1)^-1");
    public static Model SuttonChen => Create("SuttonChen", "sum(644.52*r^-9) - sum(527.62*r^-6)^0.5");
    /// <summary>A Gupta-like form written with the functions exp and sqrt, and a log at atom level.</summary>
    public static Model Functions => Create("Functions", "0.2*sum(exp(6.2*(1 - r/2.55))) - 1.3*sqrt(sum(exp(-2.4*(r/2.55 - 1)))) + 0.01*log(1 + sum(r^-6))");

    /// <summary>Two embeddings and a constant: exported as hybrid/overlay of two eam/alloy tables.</summary>
    public static Model TwoEmbeddings => Create("TwoEmbeddings", "sum(644.52*r^-9) - sum(527.62*r^-6)^0.5 + 0.5*sum(0.33^r)^-1 + 0.1");

    public static Model Create(string name, string expression) =>
        new(name, ExpressionParser.ParseModel(expression), 5.0, Taper.Copper, ["Cu"]) { Provenance = "test model" };

    private static readonly Lazy<Structure[]> StructuresLazy = new(() =>
    {
        var list = new List<Structure>();
        foreach (var group in new[] { "NVT_FCC_300K", "NVT_FCC_1400K", "NPT_FCC_1400K" })
            list.Add(PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", group))[0]);
        list.Add(Vacancy());
        return list.ToArray();
    });

    /// <summary>Names of <see cref="Structure"/> for theories.</summary>
    public static TheoryData<int> StructureIndices => new(Enumerable.Range(0, 4));

    public static Structure Structure(int index) => StructuresLazy.Value[index];

    /// <summary>A vacancy in a 3×3×3 fcc cell (a = 3.615 Å), its 12 neighbours moved 0.05 Å towards it and all atoms rattled slightly.</summary>
    private static Structure Vacancy()
    {
        var perfect = Builders.Fcc("Cu", 3.615, 3);
        var site = perfect.Positions[0];
        var positions = new List<Vec3>();
        for (var i = 1; i < perfect.Count; i++)
        {
            var p = perfect.Positions[i];
            var d = p - site;
            d -= perfect.Cell.ToCartesian(Round(perfect.Cell.ToFractional(d)));
            if (d.Length < 2.7) p -= 0.05 / d.Length * d;
            positions.Add(p);
        }
        var vacancy = new Structure(perfect.Cell, positions.ToArray(), Enumerable.Repeat("Cu", positions.Count).ToArray(), "vacancy 3x3x3");
        return Builders.Rattled(vacancy, 0.02, 7);
    }

    private static Vec3 Round(Vec3 v) => new(Math.Round(v.X), Math.Round(v.Y), Math.Round(v.Z));

    /// <summary>Worst differences: energy per atom (eV), atom energy (eV), force component (eV/Å), stress component (eV/Å³).</summary>
    public static (double Energy, double AtomEnergy, double Force, double Stress) Differences(PotentialResult ours, double energy,
        ReadOnlySpan<double> atomEnergies, ReadOnlySpan<Vec3> forces, Stress stress)
    {
        var n = ours.AtomCount;
        double atom = 0, force = 0, s = 0;
        for (var i = 0; i < n; i++)
        {
            atom = Math.Max(atom, Math.Abs(ours.AtomEnergies[i] - atomEnergies[i]));
            var d = ours.Forces[i] - forces[i];
            force = Math.Max(force, Math.Max(Math.Abs(d.X), Math.Max(Math.Abs(d.Y), Math.Abs(d.Z))));
        }
        var a = ours.Stress.ToVoigt();
        var b = stress.ToVoigt();
        for (var k = 0; k < 6; k++) s = Math.Max(s, Math.Abs(a[k] - b[k]));
        return (Math.Abs(ours.Energy - energy) / n, atom, force, s);
    }

    public const double EnergyTolerance = 1e-6;   // eV/atom
    public const double ForceTolerance = 1e-5;    // eV/Å
    public const double StressTolerance = 1e-6;   // eV/Å³ (0.16 MPa)

    public static void AssertClose((double Energy, double AtomEnergy, double Force, double Stress) d, string what)
    {
        Assert.True(d.Energy < EnergyTolerance, $"{what}: energy differs by {d.Energy:E2} eV/atom");
        Assert.True(d.AtomEnergy < EnergyTolerance, $"{what}: an atom energy differs by {d.AtomEnergy:E2} eV");
        Assert.True(d.Force < ForceTolerance, $"{what}: a force differs by {d.Force:E2} eV/Å");
        Assert.True(d.Stress < StressTolerance, $"{what}: stress differs by {d.Stress:E2} eV/Å³");
    }
}
