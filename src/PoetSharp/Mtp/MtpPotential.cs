using PoetSharp.Atoms;
using PoetSharp.Evaluation;
using PoetSharp.Potentials;

namespace PoetSharp.Mtp;

/// <summary>
/// A moment tensor potential as an <see cref="IPotential"/>: energies, forces and virial stress, in parallel over blocks
/// of atoms on the process's persistent workers, allocation-free once its buffers have grown. Two passes: each atom's
/// energy and ∂E_i/∂d_ij (written to the entry), then each atom's force gathered from its entries and their mirrors.
/// </summary>
public sealed class MtpPotential : IPotential
{
    /// <summary>Atoms per work item.</summary>
    private const int Block = 32;

    private readonly MtpKernel _kernel;
    private readonly int _threads;

    public MtpModel Model { get; }
    public string Name { get; }
    public double Cutoff => Model.Cutoff;
    public IReadOnlyList<string>? Species => Model.Elements;
    /// <summary>min_dist of the radial basis: below it the Chebyshev polynomials are evaluated outside their interval.</summary>
    public double ShortestDistance => Model.MinDistance;

    /// <param name="threads">Workers to use (−1: every core; 1: the calling thread only).</param>
    public MtpPotential(MtpModel model, int threads = -1)
    {
        Model = model;
        _kernel = new MtpKernel(model);
        _threads = threads;
        Name = model.Name;
    }

    [ThreadStatic] private static MtpKernel.Workspace? t_workspace;
    [ThreadStatic] private static CallState? t_call;

    internal static MtpKernel.Workspace ThreadWorkspace => t_workspace ??= new MtpKernel.Workspace();

    // What one call needs, kept per calling thread so that concurrent calls on one potential never share buffers.
    private sealed class CallState : IIndexedWork
    {
        public readonly MtpNeighbourhoods Neighbourhoods = new();
        public Vec3[] Gradients = [];
        // One virial per block, added up in block order afterwards: which worker runs a block depends on scheduling
        // (and on whether another run holds the workers), so per-worker sums would differ in their last bits from call to
        // call, and NPT runs made side by side (poet diffusion's temperatures) would not repeat bit for bit.
        public double[] BlockVirial = new double[9];
        public MtpKernel? Kernel;
        public PotentialResult? Result;
        public bool ForcePass;

        public void Run(int index, int worker)
        {
            var nb = Neighbourhoods;
            var from = index * Block;
            var to = Math.Min(nb.AtomCount, from + Block);
            var offsets = nb.Offsets;
            if (!ForcePass)
            {
                var ws = ThreadWorkspace;
                var energies = Result!.AtomEnergies;
                var virial = BlockVirial.AsSpan(9 * index, 9);
                for (var i = from; i < to; i++)
                {
                    var start = offsets[i];
                    var count = offsets[i + 1] - start;
                    var d = nb.Displacements.Slice(start, count);
                    var g = Gradients.AsSpan(start, count);
                    energies[i] = Kernel!.Energy(ws, nb.Types[i], d, nb.NeighbourTypes.Slice(start, count), g);
                    for (var k = 0; k < count; k++)
                    {
                        // ∂E/∂ε_ab = Σ_entries g_a d_b (symmetrised by the caller).
                        virial[0] += g[k].X * d[k].X; virial[1] += g[k].X * d[k].Y; virial[2] += g[k].X * d[k].Z;
                        virial[3] += g[k].Y * d[k].X; virial[4] += g[k].Y * d[k].Y; virial[5] += g[k].Y * d[k].Z;
                        virial[6] += g[k].Z * d[k].X; virial[7] += g[k].Z * d[k].Y; virial[8] += g[k].Z * d[k].Z;
                    }
                }
            }
            else
            {
                var forces = Result!.Forces;
                var mirrors = nb.Mirrors;
                for (var i = from; i < to; i++)
                {
                    var f = new Vec3(0, 0, 0);
                    for (var k = offsets[i]; k < offsets[i + 1]; k++) f += Gradients[k] - Gradients[mirrors[k]];
                    forces[i] = f;
                }
            }
        }
    }

    public void Compute(Structure structure, NeighbourList halfList, PotentialResult result)
    {
        var call = t_call ??= new CallState();
        var n = structure.Count;
        call.Neighbourhoods.Build(structure, halfList, Model.Cutoff, Model.Elements);
        result.Reset(n);
        if (call.Gradients.Length < call.Neighbourhoods.EntryCount) call.Gradients = new Vec3[Math.Max(call.Neighbourhoods.EntryCount, 2 * call.Gradients.Length)];
        var blocks = (n + Block - 1) / Block;
        if (call.BlockVirial.Length < 9 * blocks) call.BlockVirial = new double[Math.Max(9 * blocks, 2 * call.BlockVirial.Length)];
        Array.Clear(call.BlockVirial, 0, 9 * blocks);
        call.Kernel = _kernel;
        call.Result = result;
        try
        {
            call.ForcePass = false;
            IndexedWorkers.Run(call, blocks, _threads);
            call.ForcePass = true;
            IndexedWorkers.Run(call, blocks, _threads);
        }
        finally
        {
            call.Result = null;
            call.Kernel = null;
        }
        var energy = 0.0;
        foreach (var e in result.AtomEnergies) energy += e;
        result.Energy = energy;
        Span<double> v = stackalloc double[9];
        for (var b = 0; b < blocks; b++)
            for (var c = 0; c < 9; c++) v[c] += call.BlockVirial[9 * b + c];
        var dEdStrain = new Stress(v[0], v[4], v[8], 0.5 * (v[5] + v[7]), 0.5 * (v[2] + v[6]), 0.5 * (v[1] + v[3]));
        result.SetVirialFromPairSum(dEdStrain, structure.Cell);
    }
}
