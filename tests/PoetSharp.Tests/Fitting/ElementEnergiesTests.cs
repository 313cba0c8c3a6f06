using PoetSharp.Atoms;
using PoetSharp.Evaluation;
using PoetSharp.Fitting;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Fitting;

/// <summary>One reference energy per element: solved exactly in the errors and in the fitting objective.</summary>
public class ElementEnergiesTests
{
    private static readonly Taper ShortTaper = new(3.0, 4.5);
    private static readonly Expression Model =
        ExpressionParser.ParseModel("at[Cu](sum(0.4^r) - sum[Ni](0.6^r)^0.5) + at[Ni](1.2*sum[Cu](0.35^r) - sum(0.55^r)^0.5)");

    /// <summary>Rattled fcc cells of varied composition (0 to all Ni), labelled with energies and forces of the model itself.</summary>
    private static Structure[] Alloys(int count, Func<int, double>? extra = null, bool varyComposition = true)
    {
        var potential = new ModelPotential(Model, ShortTaper);
        var structures = new Structure[count];
        for (var k = 0; k < count; k++)
        {
            var s = Builders.Rattled(Builders.Fcc("Cu", 3.6, 1), 0.1, k + 1);
            var nickel = varyComposition ? k % (s.Count + 1) : 2;
            var species = Enumerable.Range(0, s.Count).Select(i => i < nickel ? "Ni" : "Cu").ToArray();
            var labelled = new Structure(s.Cell, s.Positions.ToArray(), species, $"alloy {k}");
            var result = potential.Compute(labelled);
            labelled.Energy = result.Energy + (extra?.Invoke(k) ?? 0);
            labelled.Forces = result.Forces.ToArray();
            structures[k] = labelled;
        }
        return structures;
    }

    [Fact]
    public void PerElementOffsetsAreRecoveredExactly()
    {
        // Reference = model + 4.1 eV per Cu atom − 2.7 eV per Ni atom: zero error after the fit, and μ recovered.
        var structures = Alloys(10);
        foreach (var s in structures) s.Energy += s.Species.Sum(x => x == "Cu" ? 4.1 : -2.7);
        var errors = PotentialErrors.Evaluate(new ModelPotential(Model, ShortTaper), new PoetSharp.Data.Dataset(structures));
        Assert.NotNull(errors.ElementEnergies);
        Assert.Equal(4.1, errors.ElementEnergies!["Cu"], 1e-9);
        Assert.Equal(-2.7, errors.ElementEnergies["Ni"], 1e-9);
        Assert.True(errors.Overall.Energy!.Rmse < 1e-9, $"RMSE {errors.Overall.Energy.Rmse} meV/atom");

        // A single shift could not absorb it: the same data compared with one constant has a large error.
        var single = PotentialErrors.BestEnergyShift(errors.Predictions.Select(p => (p.Structure.EnergyPerAtom!.Value, p.EnergyPerAtom, 1.0)));
        var worst = errors.Predictions.Max(p => Math.Abs(p.EnergyPerAtom + single - p.Structure.EnergyPerAtom!.Value));
        Assert.True(worst > 1, $"{worst} eV/atom");
    }

    [Fact]
    public void OneStoichiometryGivesTheMinimumNormSolutionAndTheSameErrors()
    {
        var structures = Alloys(6, k => 0.01 * k, varyComposition: false);
        foreach (var s in structures) s.Energy += s.Species.Sum(x => x == "Cu" ? 1.0 : 3.0);
        var errors = PotentialErrors.Evaluate(new ModelPotential(Model, ShortTaper), new PoetSharp.Data.Dataset(structures));
        var mu = errors.ElementEnergies!;
        // Half Ni: only μ_Cu + μ_Ni is determined; the minimum-norm split is equal.
        Assert.Equal(mu["Cu"], mu["Ni"], 1e-9);
        // The fitted shift per structure equals the single-shift answer, so the errors do too.
        var single = PotentialErrors.BestEnergyShift(errors.Predictions.Select(p => (p.Structure.EnergyPerAtom!.Value, p.EnergyPerAtom, 1.0)));
        foreach (var s in structures) Assert.Equal(single, mu.ShiftOf(s), 1e-9);
    }

    [Fact]
    public void TheObjectiveSolvesTheElementEnergiesAndItsJacobianMatchesFiniteDifferences()
    {
        var structures = Alloys(9);
        foreach (var s in structures) s.Energy += s.Species.Sum(x => x == "Cu" ? 0.3 : -0.8) + 0.02 * s.Count * Math.Sin(s.Positions[0].X);
        var objective = new FittingObjective(Model, ShortTaper, structures);
        var c0 = Model.Constants.ToArray();
        var K = c0.Length;
        var residuals = new double[objective.ResidualCount];
        var jacobian = new double[objective.ResidualCount * K];
        Assert.True(objective.Evaluate(c0, residuals, jacobian));

        // Residuals against the errors' own element-energy fit: the energy block is the standardised energy error.
        var errors = PotentialErrors.Evaluate(new ModelPotential(Model, ShortTaper), new PoetSharp.Data.Dataset(structures));
        var energyTerm = residuals.Take(objective.EnergyResidualCount).Sum(r => r * r);
        var rmse = errors.Overall.Energy!.Rmse / 1000;
        Assert.Equal(rmse * rmse / (objective.Scales.Energy * objective.Scales.Energy), energyTerm, 1e-9);

        for (var k = 0; k < K; k++)
        {
            var h = 1e-6 * Math.Max(0.1, Math.Abs(c0[k]));
            double[] At(double x)
            {
                var c = (double[])c0.Clone();
                c[k] += x;
                var r = new double[objective.ResidualCount];
                Assert.True(objective.Evaluate(c, r, default));
                return r;
            }
            var (plus, minus) = (At(h), At(-h));
            for (var row = 0; row < objective.ResidualCount; row++)
            {
                var numeric = (plus[row] - minus[row]) / (2 * h);
                var analytic = jacobian[row * K + k];
                Assert.True(Math.Abs(numeric - analytic) <= 1e-6 * (1 + Math.Abs(analytic)),
                    $"row {row}, constant {k}: analytic {analytic:G12}, finite difference {numeric:G12}");
            }
        }
    }
}
