using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Properties;

namespace PoetSharp.Tests.Properties;

/// <summary>
/// Relaxed-ion elastic constants of diamond in the property suite, for a silicon model that holds diamond at an internal
/// minimum: the one with an angular density that `bench/angular-search.sh` found (EAM-like models cannot).
/// </summary>
public class DiamondElasticTests
{
    // The Si model the angular search recommended (docs/benchmarks.md): ρ_3 tells the tetrahedral angle.
    private const string AngularSilicon =
        "-17.41355757284874*sum(r^-3.4130637238959736) + 60.78966351262233*(17.180055905247333*ang0(r^-6.613479119234329) - ang3(0.17407637957436092^r))^0.5821404221988628 - 0.15245394687996022*sum(-4.334395778559697 + r)";

    [Fact]
    public void TheSuiteGivesDiamondsRelaxedIonConstantsAsAFullRelaxationDoes()
    {
        var potential = PotentialFactory.CreateExpressionModel(AngularSilicon, new Taper(3, 5));
        var suite = PropertySuite.Run(potential, new PropertySuiteOptions { Element = "Si", Only = ["lattice", "elastic"], Setup = PropertySetup.Screening, MaxParallelism = 1 });
        var a = suite.Find("a0", "DIAMOND")!.Value!.Value;
        double C(string name) => suite.Find(name, "DIAMOND")!.Value!.Value;
        // Independently: the same strains with every strained cell's atoms relaxed to 1e-9 eV/Å by FIRE, not linearly.
        var primitive = Bulk.PrimitiveCell(CubicLattice.Diamond, "Si", a);
        var full = Elastic.Compute(potential, primitive, relaxPositions: TestRelaxer.Fire(potential), structureName: "DIAMOND");
        var clamped = Elastic.Compute(potential, primitive, structureName: "DIAMOND");
        foreach (var (name, expected) in new[] { ("C11", full.C11), ("C12", full.C12), ("C44", full.C44) })
            Assert.Equal(expected, C(name), 1e-3 * Math.Abs(expected) + 0.05);
        // Born stability of diamond under this model, and Kleinman's internal strain softening C44 (clamped ions are stiffer).
        Assert.True(C("C11") > Math.Abs(C("C12")) && C("C44") > 0, $"C11 {C("C11")}, C12 {C("C12")}, C44 {C("C44")}");
        Assert.True(clamped.C44 > C("C44") + 1, $"clamped C44 {clamped.C44}, relaxed {C("C44")}");
        // The fcc constants are still reported beside them.
        Assert.NotNull(suite.Find("C11", "FCC"));
    }
}
