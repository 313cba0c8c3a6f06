using PoetSharp.Atoms;
using PoetSharp.Evaluation;
using PoetSharp.Models;

namespace PoetSharp.Potentials;

/// <summary>
/// A POET model (atom expression with neighbour sums, and a taper whose outer radius is the cutoff) as a potential for
/// single structures (relaxation, MD, error tables). Uses the same <see cref="CompiledModel"/> as the data-set evaluator.
/// Thread-safe: each thread keeps its own scratch. Non-finite results (an invalid model) are returned, not thrown.
/// </summary>
public sealed class ModelPotential : IPotential
{
    private readonly ThreadLocal<Scratch> _scratch;

    public CompiledModel Model { get; }
    public string Name { get; }
    public double Cutoff => Model.Cutoff;
    public IReadOnlyList<string>? Species { get; }

    public ModelPotential(Expression expression, Taper taper, IReadOnlyList<string>? species = null, string? name = null)
        : this(new CompiledModel(expression, taper), species, name) { }

    public ModelPotential(CompiledModel model, IReadOnlyList<string>? species = null, string? name = null)
    {
        Model = model;
        Species = species;
        Name = name ?? $"model ({model.Expression.Complexity} nodes, {model.SumCount} sum(s), taper {model.Taper.Inner:G4}–{model.Taper.Outer:G4} Å)";
        _scratch = new ThreadLocal<Scratch>(() => new Scratch(model.CreateWorkspace()));
    }

    public void Compute(Structure structure, NeighbourList halfList, PotentialResult result)
    {
        this.CheckSpecies(structure);
        var n = structure.Count;
        result.Reset(n);
        var scratch = _scratch.Value!;
        // Each half-list pair within the cutoff becomes two full-list entries, one per atom.
        var positions = structure.Positions;
        var offsets = halfList.Offsets;
        var neighbours = halfList.Neighbours;
        var rc2 = Cutoff * Cutoff;
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            for (var k = offsets[i]; k < offsets[i + 1]; k++)
            {
                var d = halfList.Displacement(positions, i, k);
                var r2 = d.LengthSquared;
                if (r2 >= rc2) continue;
                if (scratch.R.Length < count + 2) scratch.Grow(2 * (count + 2));
                var j = neighbours[k];
                var r = Math.Sqrt(r2);
                var (f, df) = Model.Taper.Evaluate(r);
                scratch.Set(count++, i, j, r, d, f, df);
                scratch.Set(count++, j, i, r, -d, f, df);
            }
        }
        var speciesResolved = Model.IsSpeciesResolved;
        if (speciesResolved) scratch.SetElements(structure, count);
        // Entries are expected grouped by nothing in particular: the evaluator scatters by atom index.
        var pairs = new PairSpans(scratch.R.AsSpan(0, count), scratch.Dx.AsSpan(0, count), scratch.Dy.AsSpan(0, count), scratch.Dz.AsSpan(0, count),
            scratch.F.AsSpan(0, count), scratch.Df.AsSpan(0, count), scratch.I.AsSpan(0, count), scratch.J.AsSpan(0, count),
            speciesResolved ? scratch.Elements.AsSpan(0, n) : default, speciesResolved ? scratch.ElementJ.AsSpan(0, count) : default);
        Model.EvaluateStructure(scratch.Workspace, pairs, n, Model.DefaultConstants, result.AtomEnergies, result.Forces,
            out var energy, out var dEdStrain, Span<double>.Empty);
        result.Energy = energy;
        result.SetVirialFromPairSum(dEdStrain, structure.Cell);
    }

    private sealed class Scratch(CompiledModel.Workspace workspace)
    {
        public readonly CompiledModel.Workspace Workspace = workspace;
        public double[] R = [], Dx = [], Dy = [], Dz = [], F = [], Df = [];
        public int[] I = [], J = [];
        public byte[] Elements = [], ElementJ = [];

        /// <summary>The atoms' elements and each entry's neighbour element (atomic numbers), reusing the buffers.</summary>
        public void SetElements(Structure structure, int count)
        {
            if (Elements.Length < structure.Count) Elements = new byte[structure.Count];
            if (ElementJ.Length < count) ElementJ = new byte[R.Length];
            structure.AtomicNumbers(Elements);
            for (var p = 0; p < count; p++) ElementJ[p] = Elements[J[p]];
        }

        public void Grow(int size)
        {
            Array.Resize(ref R, size); Array.Resize(ref Dx, size); Array.Resize(ref Dy, size); Array.Resize(ref Dz, size);
            Array.Resize(ref F, size); Array.Resize(ref Df, size); Array.Resize(ref I, size); Array.Resize(ref J, size);
        }

        public void Set(int p, int i, int j, double r, Vec3 d, double f, double df)
        {
            R[p] = r; Dx[p] = d.X; Dy[p] = d.Y; Dz[p] = d.Z; F[p] = f; Df[p] = df; I[p] = i; J[p] = j;
        }
    }
}
