using PoetSharp.Data;
using PoetSharp.Fitting;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Fitting;

/// <summary>
/// The issue's check of the optimisers on real data: from constants perturbed by up to ±30 %, each optimiser recovers
/// Sutton–Chen's constants from POET's EAM_Cu data (which Sutton–Chen with the taper generated).
/// </summary>
public class RecoveryTests(ITestOutputHelper output)
{
    // The constants the EAM_Cu data were generated with: POET's README writes Sutton–Chen copper as
    // Σ 644.52 r⁻⁹ − (Σ 527.62 r⁻⁶)^0.5, rounded from ½ε a⁹ = 644.652… and (εc)² a⁶ = 527.621…; fitting all five constants
    // to the data lands on the rounded values (644.5242, 527.6206 with exponents within 1e-6), so those generated the data.
    internal static readonly double[] SuttonChenConstants = [644.52, -9.0, 527.62, -6.0, 0.5];

    // The 3800 K snapshots (100 × 32 atoms) span distances from about 1.9 Å to the cutoff, which pins both exponents.
    private static readonly Lazy<Dataset> Data = new(() => PoetFolder.Read(TestData.Repo("poet", "EAM_Cu", "NVT_FCC_3800K")));

    // Evaluations used (seed 3): lm 82 on all 100 snapshots (6.5e-6 off); cg 183 on the first 20 (6.7e-6), to keep the
    // test fast: a cg evaluation needs the Jacobian, which costs ~35 cost-only evaluations here (cg takes 323 on all 100).
    // CMA-ES is checked twice on the first 20: on its own (cost-only samples and a few Gauss–Newton covariance resets,
    // no polish), and as the search uses it, with a final Levenberg–Marquardt polish from its best point (the last 200
    // of the budget). On its own it needs its IPOP restarts to get out of the valley between the 527.62 prefactor and
    // the power ½: over seeds 1–6, 4 of 6 reached 1e-4 within 4,000 evaluations (the others 6 % and 11 % off) and 6 of 6
    // within 8,000 (all at the minimum, 6.7e-6 off, the rounding of the printed constants).
    [Theory]
    [InlineData("lm", 100, 3000)]
    [InlineData("cg", 20, 1000)]
    [InlineData("cmaes", 20, 8000)]
    [InlineData("cmaes+lm", 20, 1500)]
    public void RecoversSuttonChenFromPerturbedConstants(string optimizer, int snapshots, int evaluations)
    {
        var form = ExpressionParser.ParseModel("sum(644.52*r^-9) - sum(527.62*r^-6)^0.5");
        Assert.Equal(SuttonChenConstants, form.Constants.ToArray());
        var objective = new FittingObjective(form, Taper.Copper, Data.Value.Structures.Take(snapshots).ToList());
        // ±30 % (alternating signs, so that every constant is off in a different direction).
        double[] factors = [1.3, 0.75, 0.7, 1.2, 1.25];
        var start = SuttonChenConstants.Select((c, k) => c * factors[k]).ToArray();
        // σ₀ = 0.1 keeps CMA-ES's first run in the start's basin; with the default 0.3 it first settles in another
        // (cost 3e-3, power −9.6) and only its IPOP restart finds Sutton–Chen, after ~10,000 evaluations.
        var minimizer = optimizer switch
        {
            "cmaes" => new CmaEs { InitialStepSize = 0.1, PolishEvaluations = 0 },
            "cmaes+lm" => new CmaEs { InitialStepSize = 0.1 },
            _ => Optimizers.Create(optimizer),
        };
        var result = minimizer.Minimize(objective, start, new OptimizationBudget { MaxEvaluations = evaluations, Seed = 3 });
        var worst = SuttonChenConstants.Select((c, k) => Math.Abs(result.Parameters[k] / c - 1)).Max();
        output.WriteLine($"{optimizer}: {result.Evaluations} evaluations, cost {result.Cost:G4}, {result.StopReason}; " +
                         $"constants {string.Join(", ", result.Parameters.Select(p => p.ToString("G10")))}; worst relative error {worst:G3}");
        Assert.True(worst < 1e-4, $"{optimizer}: worst relative error {worst:G3}");
    }
}

/// <summary>Refitting GP1's constants on the 150 DFT_Cu training structures beats the printed constants' anchors.</summary>
public class Gp1RefitTests(ITestOutputHelper output)
{
    [Fact]
    public void RefitLowersEnergyAndForceErrorsBelowTheAnchors()
    {
        var training = Dataset.Concat("DFT_Cu training",
            PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NVT_FCC_300K")),
            PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NVT_FCC_1400K")),
            PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NPT_FCC_1400K")));
        var gp1 = ExpressionParser.ParseModel("sum(r^(10.21-5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1");
        // Standardised energies weigh little next to forces here (σ_E = 128 meV/atom across temperatures), so energy
        // is weighted up; with equal weights the force error falls to 0.082 eV/Å but the energy error rises to 5.2 meV/atom.
        var result = ConstantRefit.Run(gp1, Taper.Copper, training, null, Optimizers.Create("lm"), new ObjectiveWeights(10, 1, 0.1));
        var after = result.After.Training.Overall;
        output.WriteLine($"{result.Fitted}: energy RMSE {after.Energy!.Rmse:F3} meV/atom, force RMSE {after.Forces!.Rmse:F4} eV/Å, {result.Optimization.Evaluations} evaluations");
        Assert.True(after.Energy.Rmse < 4.83, $"energy RMSE {after.Energy.Rmse}");
        Assert.True(after.Forces.Rmse < 0.099, $"force RMSE {after.Forces.Rmse}");
    }
}
