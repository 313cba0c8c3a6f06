using System.Runtime.ExceptionServices;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Potentials;

namespace PoetSharp.Evaluation;

/// <summary>What a potential predicts for one structure: total energy (eV), forces (eV/Å), stress (eV/Å³, tensile positive).</summary>
public sealed record StructurePrediction(Structure Structure, double Energy, Vec3[] Forces, Stress Stress)
{
    public double EnergyPerAtom => Energy / Structure.Count;

    /// <summary>False when the potential returned NaN or ±∞ anywhere (energy, a force component, a stress component).</summary>
    public bool IsFinite
    {
        get
        {
            if (!double.IsFinite(Energy) || !Stress.IsFinite) return false;
            foreach (var f in Forces)
                if (!double.IsFinite(f.X) || !double.IsFinite(f.Y) || !double.IsFinite(f.Z)) return false;
            return true;
        }
    }
}

/// <summary>
/// Root-mean-square, mean absolute and largest absolute error of one quantity over the structures that carry its label.
/// <see cref="Values"/> counts the compared numbers: one per structure for energy, 3 per atom for forces, 6 per structure for stress.
/// </summary>
public sealed record ErrorStatistic(int Structures, int Values, double Rmse, double Mae, double MaxAbs)
{
    internal static ErrorStatistic? Of(int structures, List<double> differences)
    {
        if (differences.Count == 0) return null;
        double sumSquares = 0, sumAbs = 0, maxAbs = 0;
        foreach (var d in differences)
        {
            sumSquares += d * d;
            sumAbs += Math.Abs(d);
            maxAbs = Math.Max(maxAbs, Math.Abs(d));
        }
        return new ErrorStatistic(structures, differences.Count, Math.Sqrt(sumSquares / differences.Count), sumAbs / differences.Count, maxAbs);
    }
}

/// <summary>
/// Errors of a potential over a set of structures, in reporting units: energy per atom in meV/atom (after the constant
/// shift of <see cref="PotentialErrors.EnergyShift"/>), force components in eV/Å, stress components (Voigt, 6 per structure) in GPa.
/// A statistic is null when no (valid) structure carries that label. Structures whose prediction is not finite are
/// counted in <see cref="Invalid"/> and left out of every statistic.
/// </summary>
public sealed record ErrorSummary(string Name, int Structures, int Atoms, int Invalid, ErrorStatistic? Energy, ErrorStatistic? Forces, ErrorStatistic? Stress);

/// <summary>
/// How well a potential reproduces the labels of a data set. Energies are compared per atom up to one constant
/// (the zero of DFT energies is arbitrary): the shift c minimising Σ_s w_s (e_ref,s/n_s − e_pred,s/n_s − c)², the
/// weighted mean of the differences, is added to every predicted energy per atom. Weights enter only this shift; the
/// error statistics are plain (unweighted) averages. Per-group statistics use the same overall shift, so that the groups
/// are compared on one energy scale. With several elements, one reference energy per element is fitted instead
/// (<see cref="Evaluation.ElementEnergies"/>), and a structure's shift is its composition's average of them.
/// </summary>
public sealed class PotentialErrors
{
    private PotentialErrors(string potentialName, double energyShift, int shiftStructures, ErrorSummary overall,
        IReadOnlyList<ErrorSummary> groups, IReadOnlyList<StructurePrediction> predictions, IReadOnlyList<Structure> invalid, IReadOnlyList<string> notes)
    {
        PotentialName = potentialName;
        EnergyShift = energyShift;
        EnergyShiftStructures = shiftStructures;
        Overall = overall;
        Groups = groups;
        Predictions = predictions;
        InvalidStructures = invalid;
        Notes = notes;
    }

    public string PotentialName { get; }

    /// <summary>
    /// The constant c (eV/atom) added to each predicted energy per atom before comparing; 0 when no structure has an
    /// energy. With several elements, the average over the compared structures of each one's shift (<see cref="ShiftOf"/>).
    /// </summary>
    public double EnergyShift { get; }

    /// <summary>The reference energy of each element when the data hold several; null for one element.</summary>
    public ElementEnergies? ElementEnergies { get; private init; }

    /// <summary>
    /// Force errors (eV/Å, per component) on the atoms of each element when the data hold several, in order of atomic
    /// number; empty for one element. Energies and stresses belong to whole structures and are not split.
    /// </summary>
    public IReadOnlyList<(string Element, ErrorStatistic Forces)> ElementForces { get; private init; } = [];

    /// <summary>The energy per atom added to a prediction of this structure (eV/atom).</summary>
    public double ShiftOf(Structure s) => ElementEnergies?.ShiftOf(s) ?? EnergyShift;

    /// <summary>How many structures the shift was fitted over (valid predictions with a reference energy).</summary>
    public int EnergyShiftStructures { get; }

    public ErrorSummary Overall { get; }

    /// <summary>One summary per group, in order of first appearance (computed with the overall <see cref="EnergyShift"/>).</summary>
    public IReadOnlyList<ErrorSummary> Groups { get; }

    /// <summary>Predictions for every structure, in the data set's order (for parity plots).</summary>
    public IReadOnlyList<StructurePrediction> Predictions { get; }

    /// <summary>Structures for which the potential returned NaN or ±∞; they are excluded from every statistic.</summary>
    public IReadOnlyList<Structure> InvalidStructures { get; }

    /// <summary>Facts about the comparison worth telling the user (e.g. stress labels that could not be compared).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>A prediction's energy per atom after the shift (eV/atom), comparable with the reference energy per atom.</summary>
    public double ShiftedEnergyPerAtom(StructurePrediction prediction) => prediction.EnergyPerAtom + ShiftOf(prediction.Structure);

    /// <summary>Computes the potential on every structure (in parallel) and the errors against the labels.</summary>
    /// <exception cref="ArgumentException">A structure holds a species the potential does not describe, or has inconsistent labels.</exception>
    public static PotentialErrors Evaluate(IPotential potential, Dataset data, int maxDegreeOfParallelism = -1) =>
        FromPredictions(potential.Name, Predict(potential, data.Structures, maxDegreeOfParallelism));

    /// <summary>
    /// Computes the potential on every structure, in parallel over structures (one neighbour list and result buffer per worker).
    /// Species are checked first, so an unsupported element fails before any work with a message naming the structure.
    /// </summary>
    public static StructurePrediction[] Predict(IPotential potential, IReadOnlyList<Structure> structures, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(potential);
        for (var i = 0; i < structures.Count; i++)
        {
            try { potential.CheckSpecies(structures[i]); }
            catch (ArgumentException e) { throw new ArgumentException($"{Describe(structures[i], i)}: {e.Message}", e); }
        }

        var predictions = new StructurePrediction[structures.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        try
        {
            Parallel.For(0, structures.Count, options,
                () => (List: new NeighbourList(), Result: new PotentialResult()),
                (i, _, worker) =>
                {
                    var s = structures[i];
                    worker.List.Build(s, potential.Cutoff, half: true);
                    potential.Compute(s, worker.List, worker.Result);
                    predictions[i] = new StructurePrediction(s, worker.Result.Energy, worker.Result.Forces.ToArray(), worker.Result.Stress);
                    return worker;
                },
                _ => { });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Report the potential's own exception (e.g. an ArgumentException), not the parallel wrapper.
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return predictions;
    }

    /// <summary>Error statistics from predictions already computed (each carries its structure and labels).</summary>
    public static PotentialErrors FromPredictions(string potentialName, IReadOnlyList<StructurePrediction> predictions)
    {
        for (var i = 0; i < predictions.Count; i++) CheckLabels(predictions[i], i);

        var valid = predictions.Where(p => p.IsFinite).ToList();
        var invalid = predictions.Where(p => !p.IsFinite).Select(p => p.Structure).ToList();

        var withEnergy = valid.Where(p => p.Structure.Energy.HasValue).ToList();
        ElementEnergies? elementEnergies = null;
        double shift;
        Func<Structure, double> shiftOf;
        if (Evaluation.ElementEnergies.ElementsOf(withEnergy.Select(p => p.Structure)).Length > 1)
        {
            var structures = withEnergy.Select(p => p.Structure).ToArray();
            elementEnergies = Evaluation.ElementEnergies.Fit(structures,
                withEnergy.Select(p => p.Structure.EnergyPerAtom!.Value - p.EnergyPerAtom).ToArray(), structures.Select(x => x.Weight).ToArray());
            shift = structures.Average(elementEnergies.ShiftOf);
            shiftOf = elementEnergies.ShiftOf;
        }
        else
        {
            shift = BestEnergyShift(withEnergy.Select(p => (p.Structure.EnergyPerAtom!.Value, p.EnergyPerAtom, p.Structure.Weight)));
            var c = shift;
            shiftOf = _ => c;
        }

        var notes = new List<string>();
        var unusableStress = predictions.Count(p => p.Structure.Stress.HasValue && !p.Structure.Cell.FullyPeriodic);
        if (unusableStress > 0)
            notes.Add($"{unusableStress} structure(s) have a reference stress but a cell that is not periodic in all three directions; their stress is not compared");

        var overall = Summarize("all", predictions, shiftOf);
        var groups = predictions.Select(p => p.Structure.Group).Distinct()
            .Select(g => Summarize(g, predictions.Where(p => p.Structure.Group == g).ToList(), shiftOf))
            .ToArray();
        return new PotentialErrors(potentialName, shift, withEnergy.Count, overall, groups, predictions, invalid, notes)
        {
            ElementEnergies = elementEnergies,
            ElementForces = ForcesByElement(predictions),
        };
    }

    private static (string, ErrorStatistic)[] ForcesByElement(IReadOnlyList<StructurePrediction> predictions)
    {
        var elements = Evaluation.ElementEnergies.ElementsOf(predictions.Select(p => p.Structure));
        if (elements.Length < 2) return [];
        var result = new List<(string, ErrorStatistic)>();
        foreach (var element in elements)
        {
            var differences = new List<double>();
            var structures = 0;
            foreach (var p in predictions)
            {
                var s = p.Structure;
                if (!p.IsFinite || s.Forces is null || !s.Species.Contains(element)) continue;
                structures++;
                for (var i = 0; i < s.Count; i++)
                {
                    if (s.Species[i] != element) continue;
                    var d = p.Forces[i] - s.Forces[i];
                    differences.Add(d.X); differences.Add(d.Y); differences.Add(d.Z);
                }
            }
            if (ErrorStatistic.Of(structures, differences) is { } statistic) result.Add((element, statistic));
        }
        return result.ToArray();
    }

    /// <summary>
    /// The constant c (per atom) minimising Σ w (reference − predicted − c)²: the weighted mean of reference − predicted.
    /// Zero for no data; the plain mean when every weight is zero.
    /// </summary>
    public static double BestEnergyShift(IEnumerable<(double Reference, double Predicted, double Weight)> energiesPerAtom)
    {
        double weighted = 0, weightSum = 0, plain = 0;
        var n = 0;
        foreach (var (reference, predicted, weight) in energiesPerAtom)
        {
            if (!(weight >= 0) || !double.IsFinite(weight))
                throw new ArgumentException($"structure weights must be finite and non-negative (got {weight})");
            var d = reference - predicted;
            weighted += weight * d;
            weightSum += weight;
            plain += d;
            n++;
        }
        if (n == 0) return 0;
        return weightSum > 0 ? weighted / weightSum : plain / n;
    }

    private static ErrorSummary Summarize(string name, IReadOnlyList<StructurePrediction> predictions, Func<Structure, double> shift)
    {
        var energy = new List<double>();
        var forces = new List<double>();
        var stress = new List<double>();
        int energyStructures = 0, forceStructures = 0, stressStructures = 0, invalid = 0;
        foreach (var p in predictions)
        {
            if (!p.IsFinite) { invalid++; continue; }
            var s = p.Structure;
            if (s.Energy.HasValue)
            {
                energyStructures++;
                energy.Add(1000.0 * (p.EnergyPerAtom + shift(s) - s.EnergyPerAtom!.Value));
            }
            if (s.Forces != null)
            {
                forceStructures++;
                for (var i = 0; i < s.Count; i++)
                {
                    var d = p.Forces[i] - s.Forces[i];
                    forces.Add(d.X);
                    forces.Add(d.Y);
                    forces.Add(d.Z);
                }
            }
            if (s.Stress is Stress reference && s.Cell.FullyPeriodic)
            {
                stressStructures++;
                var d = p.Stress - reference;
                for (var k = 0; k < 6; k++) stress.Add(Units.GPaPerEvPerA3 * d[k]);
            }
        }
        return new ErrorSummary(name, predictions.Count, predictions.Sum(p => p.Structure.Count), invalid,
            ErrorStatistic.Of(energyStructures, energy), ErrorStatistic.Of(forceStructures, forces), ErrorStatistic.Of(stressStructures, stress));
    }

    private static void CheckLabels(StructurePrediction p, int index)
    {
        var s = p.Structure;
        if (p.Forces.Length != s.Count)
            throw new ArgumentException($"{Describe(s, index)}: {p.Forces.Length} predicted forces for {s.Count} atoms");
        if (s.Energy is double e && !double.IsFinite(e))
            throw new ArgumentException($"{Describe(s, index)}: the reference energy is not finite");
        if (s.Forces != null)
        {
            if (s.Forces.Length != s.Count)
                throw new ArgumentException($"{Describe(s, index)}: {s.Forces.Length} reference forces for {s.Count} atoms");
            foreach (var f in s.Forces)
                if (!double.IsFinite(f.X) || !double.IsFinite(f.Y) || !double.IsFinite(f.Z))
                    throw new ArgumentException($"{Describe(s, index)}: a reference force is not finite");
        }
        if (s.Stress is Stress st && !st.IsFinite)
            throw new ArgumentException($"{Describe(s, index)}: the reference stress is not finite");
    }

    private static string Describe(Structure s, int index)
    {
        var name = s.Name.Length > 0 ? $"'{s.Name}'" : $"#{index + 1}";
        return s.Group.Length > 0 ? $"structure {name} (group {s.Group})" : $"structure {name}";
    }
}
