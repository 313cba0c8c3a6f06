using PoetSharp.Atoms;
using PoetSharp.Evaluation;
using PoetSharp.Models;
using PoetSharp.Mtp;
using PoetSharp.Potentials;

namespace PoetSharp.Learning;

/// <summary>What one row of the active set describes: a whole configuration, or one atom's neighbourhood (MLIP offers both).</summary>
public enum GradeMode
{
    /// <summary>One row per structure: ∂E/∂θ over the linear parameters θ (MLIP's default).</summary>
    Configuration,
    /// <summary>One row per atom: ∂E_i/∂θ; a structure's grade is the largest of its atoms'.</summary>
    Neighbourhood,
}

/// <summary>
/// The rows the extrapolation grade is built from, for one model: derivatives of the energy with respect to the
/// parameters that enter it linearly. For an MTP (E_i = ξ_{s_i} + Σ_α w_α B_α(i)) the row of an atom is
/// (one-hot species, B_1(i), …, B_m(i)) and the row of a configuration is its sum over atoms (species counts, Σ_i B_α(i)),
/// exactly as MLIP's D-optimality criterion on the linear part. For a closed-form model, whose constants enter
/// non-linearly, the row is the Jacobian ∂E/∂c of the energy with respect to the constants (with the atom counts per
/// element for the reference energies): the same construction in the linearised model, which no other code offers.
/// </summary>
public abstract class ExtrapolationFeatures
{
    public GradeMode Mode { get; }
    /// <summary>Length of a row.</summary>
    public abstract int Width { get; }

    protected ExtrapolationFeatures(GradeMode mode) => Mode = mode;

    /// <summary>Appends the rows of <paramref name="structure"/>: one in configuration mode, one per atom in neighbourhood mode.</summary>
    public abstract void AddRows(Structure structure, List<double[]> rows);

    /// <summary>The rows of <paramref name="structure"/> as a new list.</summary>
    public List<double[]> Rows(Structure structure)
    {
        var rows = new List<double[]>();
        AddRows(structure, rows);
        return rows;
    }

    /// <summary>The structure's extrapolation grade: its row's, or the largest of its atoms'.</summary>
    public double Grade(ActiveSet set, Structure structure) => set.Grade(Rows(structure));

    /// <summary>
    /// The active set of a training set: every row of every structure (in parallel over structures; the row order, and
    /// so the set, does not depend on the number of cores).
    /// </summary>
    public ActiveSet BuildActiveSet(IReadOnlyList<Structure> training, int threads = -1, double virtualRowSize = ActiveSet.DefaultVirtualRowSize)
    {
        var perStructure = new List<double[]>[training.Count];
        Parallel.For(0, training.Count, new ParallelOptions { MaxDegreeOfParallelism = threads < 1 ? -1 : threads },
            k => perStructure[k] = Rows(training[k]));
        var rows = new List<double[]>();
        var sources = new List<RowSource>();
        for (var k = 0; k < training.Count; k++)
            for (var a = 0; a < perStructure[k].Count; a++)
            {
                rows.Add(perStructure[k][a]);
                sources.Add(new RowSource(k, Mode == GradeMode.Configuration ? -1 : a));
            }
        return ActiveSet.Build(rows, sources, Width, virtualRowSize);
    }

    /// <summary>The features of a model of either family.</summary>
    public static ExtrapolationFeatures For(IParametricModel model, GradeMode mode) => model switch
    {
        MtpModel mtp => new MtpFeatures(mtp, mode),
        Model closedForm => new ClosedFormFeatures(closedForm, mode),
        _ => throw new ArgumentException($"no extrapolation grade for models of family '{model.Family}'"),
    };
}

/// <summary>Rows of an MTP's linear part: (species indicator, B_α) per atom, summed over atoms per configuration.</summary>
public sealed class MtpFeatures : ExtrapolationFeatures
{
    private readonly MtpModel _model;
    private readonly MtpKernel _kernel;

    public MtpFeatures(MtpModel model, GradeMode mode) : base(mode)
    {
        _model = model;
        _kernel = new MtpKernel(model);
    }

    public override int Width => _model.LinearParameterCount;

    public override void AddRows(Structure structure, List<double[]> rows)
    {
        var nb = new MtpNeighbourhoods();
        nb.Build(structure, NeighbourList.Create(structure, _model.Cutoff, half: true), _model.Cutoff, _model.Elements);
        var species = _model.SpeciesCount;
        var ws = new MtpKernel.Workspace();
        var offsets = nb.Offsets;
        double[]? total = Mode == GradeMode.Configuration ? new double[Width] : null;
        var values = new double[_model.Basis.ScalarCount];
        for (var i = 0; i < nb.AtomCount; i++)
        {
            var start = offsets[i];
            var count = offsets[i + 1] - start;
            _kernel.Basis(ws, nb.Types[i], nb.Displacements.Slice(start, count), nb.NeighbourTypes.Slice(start, count), values);
            var row = total ?? new double[Width];
            row[nb.Types[i]] += 1;
            for (var a = 0; a < values.Length; a++) row[species + a] += values[a];
            if (total is null) rows.Add(row);
        }
        if (total is not null) rows.Add(total);
    }
}

/// <summary>Rows of a closed-form model: ∂E/∂c for its constants, then the count of atoms of each element.</summary>
public sealed class ClosedFormFeatures : ExtrapolationFeatures
{
    private readonly Model _model;
    private readonly CompiledModel _compiled;

    public ClosedFormFeatures(Model model, GradeMode mode) : base(mode)
    {
        if (mode != GradeMode.Configuration)
            throw new ArgumentException("closed-form models are graded per configuration (their per-atom constant Jacobian is not available); use --grade-by configuration");
        _model = model;
        _compiled = new CompiledModel(model.Expression, model.Taper);
    }

    public override int Width => _model.Expression.ConstantCount + _model.Species.Count;

    public override void AddRows(Structure structure, List<double[]> rows)
    {
        var pairs = new PairTable([structure], _model.Taper);
        var evaluator = new ModelEvaluator(_compiled, pairs) { MaxDegreeOfParallelism = 1 };
        evaluator.Evaluate(EvaluationOutputs.EnergyJacobian);
        var c = _model.Expression.ConstantCount;
        var row = new double[Width];
        evaluator.EnergyJacobian.AsSpan(0, c).CopyTo(row);
        foreach (var s in structure.Species)
        {
            var k = IndexOf(_model.Species, s);
            if (k < 0) throw new ArgumentException($"{_model.Name} has no parameters for element '{s}'");
            row[c + k] += 1;
        }
        rows.Add(row);
    }

    private static int IndexOf(IReadOnlyList<string> list, string s)
    {
        for (var i = 0; i < list.Count; i++) if (list[i] == s) return i;
        return -1;
    }
}
