using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Search;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Search;

/// <summary>
/// The shipped alloy data (labelled by data/alloy/CuNi_RTS/make_cuni_rts.py, numpy and ASE, not PoetSharp) against
/// PoetSharp's evaluation of the same Rafii-Tabar–Sutton model: an independent check of the species-resolved evaluator,
/// and of the demo's rediscovery check.
/// </summary>
public class AlloyRecoveryTests
{
    private static string DataPath => Path.Combine(TestData.RepoRoot, "data", "alloy", "CuNi_RTS", "CuNi_RTS.xyz");

    [Fact]
    public void TheShippedAlloyDataAreTheTrueModelsEnergiesForcesAndStresses()
    {
        var data = DataFiles.Read(DataPath);
        Assert.Equal(190, data.Count);
        Assert.Equal(["Ni", "Cu"], ElementEnergies.ElementsOf(data.Structures));
        var exact = new ModelPotential(AlloyRecovery.TrueModel, Taper.Copper, ["Cu", "Ni"]);
        var tabulated = new TabulatedModelPotential(AlloyRecovery.TrueModel, Taper.Copper, ["Cu", "Ni"]);
        foreach (var potential in new IPotential[] { exact, tabulated })
        {
            var errors = PotentialErrors.Evaluate(potential, data);
            // Positions and forces are written with 8 decimals: that rounding is all that may differ.
            Assert.True(errors.Overall.Energy!.MaxAbs < 1e-5, $"{potential.Name}: energy max {errors.Overall.Energy.MaxAbs} meV/atom");
            Assert.True(errors.Overall.Forces!.MaxAbs < 1e-6, $"{potential.Name}: force max {errors.Overall.Forces.MaxAbs} eV/Å");
            Assert.True(errors.Overall.Stress!.MaxAbs < 1e-5, $"{potential.Name}: stress max {errors.Overall.Stress.MaxAbs} GPa");
            Assert.True(Math.Abs(errors.EnergyShift) < 1e-8, $"shift {errors.EnergyShift}");
        }
    }

    [Fact]
    public void TheCheckAcceptsTheTrueModelInAnotherFormAndRejectsNearMisses()
    {
        Assert.True(AlloyRecovery.Check(AlloyRecovery.TrueModel, Taper.Copper).Found);
        // The same function written otherwise, with per-element constants added: still the true model.
        var p = (string a, string b) => AlloyRecovery.PairConstant(a, b).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var q = (string a, string b) => AlloyRecovery.DensityConstant(a, b).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var rewritten = ExpressionParser.ParseModel(
            $"at[Cu](0.3 + sum[Cu]({p("Cu", "Cu")}/r^9) + sum[Ni]({p("Cu", "Ni")}*r^-9) - sqrt_placeholder) + at[Ni](sum[Ni]({p("Ni", "Ni")}*r^-9) + sum[Cu]({p("Ni", "Cu")}*r^-9) - ({q("Ni", "Ni")}*sum[Ni](r^-6) + sum[Cu]({q("Ni", "Cu")}*r^-6))^0.5 - 2)"
                .Replace("sqrt_placeholder", $"(sum[Cu]({q("Cu", "Cu")}*r^-6) + sum[Ni]({q("Cu", "Ni")}*r^-6))^0.5"));
        var verdict = AlloyRecovery.Check(rewritten, Taper.Copper);
        Assert.True(verdict.Found, verdict.Detail);
        // One density for both neighbour elements (copper's): close, but not the true model.
        var oneDensity = ExpressionParser.ParseModel(
            $"at[Cu](sum[Cu]({p("Cu", "Cu")}*r^-9) + sum[Ni]({p("Cu", "Ni")}*r^-9) - sum({q("Cu", "Cu")}*r^-6)^0.5) + at[Ni](sum[Ni]({p("Ni", "Ni")}*r^-9) + sum[Cu]({p("Ni", "Cu")}*r^-9) - sum({q("Ni", "Cu")}*r^-6)^0.5)");
        Assert.False(AlloyRecovery.Check(oneDensity, Taper.Copper).Found);
        // Each Cu–Ni pair's energy moved wholly onto the Cu atom (p_CuNi + p_NiCu on Cu, nothing on Ni): the same energies and
        // forces of every structure, so the same potential, though each atom's energy differs.
        var moved = ExpressionParser.ParseModel(
            $"at[Cu](sum[Cu]({p("Cu", "Cu")}*r^-9) + sum[Ni]({(AlloyRecovery.PairConstant("Cu", "Ni") + AlloyRecovery.PairConstant("Ni", "Cu")).ToString("R", System.Globalization.CultureInfo.InvariantCulture)}*r^-9) - (sum[Cu]({q("Cu", "Cu")}*r^-6) + sum[Ni]({q("Cu", "Ni")}*r^-6))^0.5) + " +
            $"at[Ni](sum[Ni]({p("Ni", "Ni")}*r^-9) - (sum[Cu]({q("Ni", "Cu")}*r^-6) + sum[Ni]({q("Ni", "Ni")}*r^-6))^0.5)");
        var movedVerdict = AlloyRecovery.Check(moved, Taper.Copper);
        Assert.True(movedVerdict.Found, movedVerdict.Detail);
        // A model of one element is simply wrong here.
        Assert.False(AlloyRecovery.Check(ExpressionParser.ParseModel("sum(644.52*r^-9) - sum(527.62*r^-6)^0.5"), Taper.Copper).Found);
    }
}
