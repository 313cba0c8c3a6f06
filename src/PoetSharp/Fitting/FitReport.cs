using System.Globalization;
using System.Text;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Fitting;

/// <summary>
/// Errors of a model with given constants on its training set and, optionally, a validation set, in physical units:
/// energies per atom in meV/atom, force components in eV/Å, stress components in GPa (RMSE, MAE, largest error).
/// Each set is computed by <see cref="PotentialErrors"/> and so compares energies after that set's own best constant
/// shift; <see cref="ValidationEnergyAtTrainingShift"/> gives the validation energies with the training shift instead,
/// the stricter number (the fitted reference energy is then part of the model, as it is when the model is used).
/// </summary>
public sealed class FitReport
{
    private FitReport(PotentialErrors training, PotentialErrors? validation, ErrorStatistic? validationAtTrainingShift)
    {
        Training = training;
        Validation = validation;
        ValidationEnergyAtTrainingShift = validationAtTrainingShift;
    }

    public PotentialErrors Training { get; }
    public PotentialErrors? Validation { get; }

    /// <summary>Validation energy errors (meV/atom) with the training set's shift; null without validation energies.</summary>
    public ErrorStatistic? ValidationEnergyAtTrainingShift { get; }

    /// <summary>Evaluates the expression with <paramref name="constants"/> (postfix order) on both sets.</summary>
    public static FitReport Create(Expression expression, Taper taper, ReadOnlySpan<double> constants,
        Dataset training, Dataset? validation = null, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var potential = new ModelPotential(expression.WithConstants(constants.ToArray()), taper);
        return Create(potential, training, validation, maxDegreeOfParallelism);
    }

    /// <summary>Evaluates any potential on both sets.</summary>
    public static FitReport Create(IPotential potential, Dataset training, Dataset? validation = null, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(training);
        var train = PotentialErrors.Evaluate(potential, training, maxDegreeOfParallelism);
        if (validation == null || validation.Count == 0) return new FitReport(train, null, null);
        var valid = PotentialErrors.Evaluate(potential, validation, maxDegreeOfParallelism);
        var differences = valid.Predictions
            .Where(p => p.IsFinite && p.Structure.Energy.HasValue)
            .Select(p => 1000.0 * (p.EnergyPerAtom + train.ShiftOf(p.Structure) - p.Structure.EnergyPerAtom!.Value))
            .ToList();
        var structures = differences.Count;
        return new FitReport(train, valid, ErrorStatistic.Of(structures, differences));
    }

    /// <summary>A small table: one row per set and quantity.</summary>
    public string Format()
    {
        var b = new StringBuilder();
        b.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{"set",-12} {"quantity",-34} {"values",8} {"RMSE",10} {"MAE",10} {"max",10}"));
        Rows(b, "training", Training.Overall);
        if (Validation != null)
        {
            Rows(b, "validation", Validation.Overall);
            if (ValidationEnergyAtTrainingShift is { } e) Row(b, "validation", "energy, training shift", "meV/atom", e);
        }
        if (Training.ElementEnergies is { } elements) b.AppendLine($"element reference energies (training): {elements} per atom");
        else b.AppendLine(string.Create(CultureInfo.InvariantCulture, $"energy shift (training): {Training.EnergyShift:F6} eV/atom"));
        if (Training.Overall.Invalid > 0 || (Validation?.Overall.Invalid ?? 0) > 0)
            b.AppendLine($"invalid (non-finite) structures: training {Training.Overall.Invalid}, validation {Validation?.Overall.Invalid ?? 0}");
        return b.ToString();
    }

    private static void Rows(StringBuilder b, string set, ErrorSummary summary)
    {
        if (summary.Energy is { } e) Row(b, set, "energy", "meV/atom", e);
        if (summary.Forces is { } f) Row(b, set, "force", "eV/Å", f);
        if (summary.Stress is { } s) Row(b, set, "stress", "GPa", s);
    }

    private static void Row(StringBuilder b, string set, string quantity, string unit, ErrorStatistic x) =>
        b.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"{set,-12} {quantity + " (" + unit + ")",-34} {x.Values,8} {x.Rmse,10:G4} {x.Mae,10:G4} {x.MaxAbs,10:G4}"));
}
