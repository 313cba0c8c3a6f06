using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Evaluation;

/// <summary>
/// The error table of shared/reference/anchors.md (DFT_Cu training set: 150 structures of NVT 300 K, NVT 1400 K,
/// NPT 1400 K), reproduced by our evaluator to the printed digits.
/// </summary>
public class AnchorTests
{
    private static readonly Lazy<Dataset> Training = new(() => Dataset.Concat("DFT_Cu training",
        PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NVT_FCC_300K")),
        PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NVT_FCC_1400K")),
        PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NPT_FCC_1400K"))));

    private static void AssertPrinted(double expected, double actual, double halfUnit, string what) =>
        Assert.True(Math.Abs(actual - expected) <= halfUnit * 1.0001, $"{what}: {actual} does not round to {expected}");

    [Fact]
    public void SuttonChenAsPrintedInPoetsReadme()
    {
        // The anchors were computed with the coefficients as POET's README prints them: Σ 644.52 r⁻⁹ − (Σ 527.62 r⁻⁶)^½.
        // In Sutton–Chen's parameters that is a = 1 Å, ε = 2·644.52 eV, c = √527.62 / ε.
        const double epsilon = 2 * 644.52;
        var sc = new SuttonChen(epsilon, 1.0, Math.Sqrt(527.62) / epsilon, 9, 6, 5.0, Taper.Copper, ["Cu"]);
        var e = PotentialErrors.Evaluate(sc, Training.Value).Overall;
        AssertPrinted(35.05, e.Energy!.Rmse, 0.005, "energy RMSE (meV/atom)");
        AssertPrinted(30.86, e.Energy.Mae, 0.005, "energy MAE (meV/atom)");
        AssertPrinted(0.161, e.Forces!.Rmse, 0.0005, "force RMSE (eV/Å)");
        AssertPrinted(0.118, e.Forces.Mae, 0.0005, "force MAE (eV/Å)");
    }

    [Fact]
    public void SuttonChenWithExactParametersAgreesWithAnIndependentComputation()
    {
        // ε = 0.012382 eV, a = 3.61 Å, c = 39.432 exactly (coefficients 644.652…, 527.621…). An independent
        // computation (ASE's neighbour list and NumPy, same taper) gives 35.039279430383 and 30.838404488170 meV/atom.
        var e = PotentialErrors.Evaluate(SuttonChen.CopperPoet(), Training.Value).Overall;
        Assert.Equal(35.039279430383, e.Energy!.Rmse, 9);
        Assert.Equal(30.838404488170, e.Energy.Mae, 9);
    }

    /// <summary>The EAM rows of the anchor table: Mishin et al. 2001 (Cu1) and Zhou et al., as shipped with Debian's lammps.</summary>
    [NeedsTheory(External.Lammps)]
    [InlineData("Cu_mishin1.eam.alloy", 10.11, 8.64, 0.102, 0.075)]
    [InlineData("Cu_zhou.eam.alloy", 14.89, 13.29, 0.208, 0.136)]
    public void EamReproducesTheAnchors(string file, double energyRmse, double energyMae, double forceRmse, double forceMae)
    {
        var e = PotentialErrors.Evaluate(PotentialFactory.Create(file), Training.Value).Overall;
        AssertPrinted(energyRmse, e.Energy!.Rmse, 0.005, "energy RMSE (meV/atom)");
        AssertPrinted(energyMae, e.Energy.Mae, 0.005, "energy MAE (meV/atom)");
        AssertPrinted(forceRmse, e.Forces!.Rmse, 0.0005, "force RMSE (eV/Å)");
        AssertPrinted(forceMae, e.Forces.Mae, 0.0005, "force MAE (eV/Å)");
    }
}
