using PoetSharp.Atoms;
using System.Diagnostics;
using System.Globalization;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Properties;

/// <summary>
/// Sutton–Chen and Mishin's EAM against POET's DFT reference (TargetProperties_0K.data): prints the table of every bulk property
/// beside its reference and the time each took, and checks that both are recognisably copper.
/// </summary>
public class ReferenceComparisonTests(ITestOutputHelper output)
{
    [Fact]
    public void BulkPropertiesOfSuttonChenAndMishinBesideDft()
    {
        var reference = TargetProperties.Read(TestData.Repo("poet", "DFT_Cu", "0K", "TargetProperties_0K.data"));
        var potentials = new (string Name, IPotential Potential)[] { ("Sutton–Chen", PotentialFactory.Create("sc")), ("Mishin", PotentialFactory.Create(LammpsBulkScript.MishinCu)) };
        var rows = new List<(string Key, string Unit, double?[] Values)>();
        void Add(int column, PropertyValue v)
        {
            var key = $"{v.Name} {v.Structure}";
            var row = rows.FindIndex(r => r.Key == key);
            if (row < 0)
            {
                rows.Add((key, v.Unit, new double?[potentials.Length]));
                row = rows.Count - 1;
            }
            rows[row].Values[column] = v.Value;
        }
        var timings = new List<string>();
        for (var p = 0; p < potentials.Length; p++)
        {
            var (name, potential) = potentials[p];
            T Timed<T>(string what, Func<T> compute)
            {
                var watch = Stopwatch.StartNew();
                var result = compute();
                timings.Add($"{name,-12} {what,-28} {watch.Elapsed.TotalMilliseconds,8:F0} ms");
                return result;
            }
            var fcc = Timed("fcc lattice constant", () => Bulk.CubicLatticeConstant(potential, "Cu", CubicLattice.Fcc));
            var bcc = Timed("bcc lattice constant", () => Bulk.CubicLatticeConstant(potential, "Cu", CubicLattice.Bcc));
            var hcp = Timed("hcp a, c", () => Bulk.HcpLatticeConstants(potential, "Cu"));
            var phases = new PhaseEnergyResult(fcc, bcc, hcp);
            var cohesive = Timed("cohesive energy", () => Bulk.CohesiveEnergy(potential, fcc));
            var eos = Timed("equation of state (13 pts)", () => EquationOfState.Compute(potential, fcc.Primitive(), structureName: "FCC"));
            var elastic = Timed("elastic constants fcc", () => Elastic.Compute(potential, fcc.Primitive(), structureName: "FCC"));
            var phonons = Timed("phonons (6x6x6, 200 q)", () => Phonons.Fcc(potential, "Cu", fcc.A, Phonons.DefaultFccSupercell));
            foreach (var v in fcc.Values().Concat(bcc.Values()).Concat(hcp.Values()).Concat(phases.Values()).Concat(cohesive.Values()).Concat(eos.Values()))
                Add(p, v);
            foreach (var v in elastic.Values().Where(v => v.Name is "C11" or "C12" or "C44" or "BVRH")) Add(p, v);
            foreach (var v in phonons.Values()) Add(p, v);

            Assert.InRange(fcc.A, 3.55, 3.70);
            Assert.InRange(phases.BccMinusFcc, 0.0, 0.1);
            Assert.InRange(phases.HcpMinusFcc, 0.0, 0.03);
            Assert.InRange(elastic.C44, 50, 100);
        }

        static string F(double? v) => v is double x ? x.ToString(Math.Abs(x) < 0.1 ? "F5" : "F3", CultureInfo.InvariantCulture) : "–";
        output.WriteLine($"| property | unit | DFT | {string.Join(" | ", potentials.Select(p => $"{p.Name} | error"))} |");
        output.WriteLine($"|---|---|---|{string.Concat(Enumerable.Repeat("---|---|", potentials.Length))}");
        foreach (var (key, unit, values) in rows)
        {
            var parts = key.Split(' ');
            var target = reference.Find(parts[0], parts[1])?.Value;
            var cells = values.Select(v => target is double t && v is double x
                ? $"{F(x)} | {F(x - t)} ({100 * (x - t) / t:F1} %)"
                : $"{F(v)} | ");
            output.WriteLine($"| {key} | {unit} | {F(target)} | {string.Join(" | ", cells)} |");
        }
        output.WriteLine("");
        foreach (var t in timings) output.WriteLine(t);
    }
}
