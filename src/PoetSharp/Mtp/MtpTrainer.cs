using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using System.Numerics.Tensors;
using PoetSharp.Atoms;
using PoetSharp.Fitting;

namespace PoetSharp.Mtp;

/// <summary>
/// Weights of the MTP training loss. The loss is
/// Σ_s w_s [ e (ΔE_s)² / N_s + f Σ_i |ΔF_i|² + v Σ_c (ΔW_s,c)² / N_s ],
/// with E_s the total energy (eV), F the forces (eV/Å) and W = σV the virial (eV) of structure s, w_s its weight and N_s
/// its atom count; the virial's six independent components c = xx, yy, zz, yz, xz, xy count once each. Defaults e, f, v = 1, 0.01, 0.001 are MLIP's default weights; dividing the extensive energy and virial
/// terms by N_s keeps 100-atom cells from outweighing small ones.
/// </summary>
public sealed record MtpLossWeights(double Energy = 1.0, double Forces = 0.01, double Stress = 0.001)
{
    public static MtpLossWeights Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 3 || parts.Any(p => !double.TryParse(p, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) || !(v >= 0) || !double.IsFinite(v)))
            throw new ArgumentException($"weights '{text}': expected three non-negative numbers ENERGY,FORCES,STRESS such as 1,0.01,0.001");
        var w = parts.Select(p => double.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (w.All(x => x == 0)) throw new ArgumentException($"weights '{text}': at least one must be positive");
        return new MtpLossWeights(w[0], w[1], w[2]);
    }
}

/// <summary>One evaluation of the training loss, as the trainer reports it.</summary>
public sealed record MtpFitProgress(int Evaluation, int Restart, double Loss, double EnergyRmsePerAtom, double ForceRmse, TimeSpan Elapsed);

/// <summary>
/// Trains an <see cref="MtpModel"/> on a data set by variable projection: for given radial coefficients θ the linear
/// coefficients (species ξ_s and moment w_α) minimising the loss are found exactly, by regularised least squares on
/// the normal equations; the radial coefficients are then optimised by L-BFGS (<see cref="LimitedMemoryBfgs"/>) on that reduced loss
/// L(θ) = min_x loss(θ, x). Its gradient is ∂loss/∂θ at the optimal x (the envelope theorem), computed exactly by
/// <see cref="MtpKernel.ParameterGradient"/>. Work is spread over structures on all cores; sums are taken over fixed
/// chunks in a fixed order, so a fit is reproducible to the bit whatever the number of cores.
/// </summary>
public sealed class MtpTrainer
{
    private sealed class Item
    {
        public required Structure Structure;
        public required MtpNeighbourhoods Neighbourhoods;
        public double EnergyWeight, ForceWeight, StressWeight;
        public double[]? VirialTarget;    // σV, Voigt xx yy zz yz xz xy
    }

    private readonly Item[] _items;
    private readonly MtpLossWeights _weights;
    private readonly double _ridge;
    private readonly int _threads;
    private readonly int _species;
    private readonly double _cutoff;
    private readonly string[] _elements;

    public int StructureCount => _items.Length;

    /// <summary>Why the last <see cref="Fit"/> stopped, and after how many L-BFGS iterations.</summary>
    public string? StopReason { get; private set; }
    public int Iterations { get; private set; }

    /// <param name="ridge">Ridge on the linear coefficients, relative to the mean diagonal of the column-scaled normal matrix.</param>
    public MtpTrainer(IReadOnlyList<Structure> structures, string[] elements, double cutoff, MtpLossWeights weights, double ridge = 1e-10, int threads = -1)
    {
        if (structures.Count == 0) throw new ArgumentException("no structures to train on");
        _weights = weights;
        _ridge = ridge;
        _threads = threads;
        _species = elements.Length;
        _elements = elements;
        _cutoff = cutoff;
        _items = new Item[structures.Count];
        Parallel.For(0, structures.Count, Options(), k =>
        {
            var s = structures[k];
            var nb = new MtpNeighbourhoods();
            nb.Build(s, NeighbourList.Create(s, cutoff, half: true), cutoff, elements);
            var n = s.Count;
            var item = new Item { Structure = s, Neighbourhoods = nb };
            if (s.Energy is double) item.EnergyWeight = weights.Energy * s.Weight / n;
            if (s.Forces is not null) item.ForceWeight = weights.Forces * s.Weight;
            if (s.Stress is Stress sigma && s.Cell.FullyPeriodic)
            {
                item.StressWeight = weights.Stress * s.Weight / n;
                item.VirialTarget = (s.Cell.Volume * sigma).ToVoigt();
            }
            _items[k] = item;
        });
    }

    // Up to 64 contiguous ranges of structures, independent of the number of cores.
    private (int From, int To)[] Chunks()
    {
        var count = Math.Min(64, _items.Length);
        return Enumerable.Range(0, count).Select(c => (c * _items.Length / count, (c + 1) * _items.Length / count)).ToArray();
    }

    private ParallelOptions Options() => new() { MaxDegreeOfParallelism = _threads < 1 ? -1 : _threads };

    /// <summary>
    /// fit-mtp's default min_dist: the shortest interatomic distance in the training data (the cutoff when no pair is
    /// closer), rounded down to 0.01 Å; read from the neighbourhoods already built.
    /// </summary>
    public double DefaultMinDistance()
    {
        var shortest = _cutoff;
        foreach (var item in _items)
            foreach (var d in item.Neighbourhoods.Displacements) shortest = Math.Min(shortest, d.Length);
        return Math.Floor(100 * shortest) / 100;
    }

    /// <summary>
    /// A short-range core (<see cref="MtpCore"/>) whose inner radius for each species pair is that pair's shortest
    /// distance in the training data, rounded down to 0.01 Å (the cutoff for a pair never within it): it changes nothing on
    /// the training data and takes over wherever MD goes closer than the data ever did.
    /// </summary>
    public MtpCore Core(double width)
    {
        var shortest = Enumerable.Repeat(double.PositiveInfinity, _species * _species).ToArray();
        foreach (var item in _items) MtpCore.AddShortest(item.Neighbourhoods, _species, shortest);
        var inner = shortest.Select(r => double.IsFinite(r) ? Math.Min(Math.Floor(100 * r) / 100, _cutoff) : _cutoff).ToArray();
        for (var k = 0; k < inner.Length; k++)
            if (inner[k] <= width)
                throw new ArgumentException($"the training data hold a pair {inner[k]} Å apart, within the core's switching width {width} Å: give a smaller --core-width (or --core none)");
        return new MtpCore(inner, width, _elements);
    }

    /// <summary>
    /// MLIP's scaling chosen so that the zeroth moment Σ_j scaling · (R_cut − r_ij)² is 1 on average over the data's atoms:
    /// products of up to four moments then stay of order one, which keeps the normal equations well conditioned.
    /// </summary>
    public double SuggestedScaling(double cutoff)
    {
        double sum = 0;
        long atoms = 0;
        foreach (var item in _items)
        {
            var d = item.Neighbourhoods.Displacements;
            for (var k = 0; k < d.Length; k++)
            {
                var gap = cutoff - d[k].Length;
                sum += gap * gap;
            }
            atoms += item.Structure.Count;
        }
        return sum > 0 ? atoms / sum : 1.0;
    }

    /// <summary>
    /// The linear coefficients minimising the loss for the model's radial coefficients: builds the normal equations from
    /// every structure's design rows (energy, 3N forces, 6 virial components) and solves them with a small ridge after
    /// scaling the columns to unit diagonal.
    /// </summary>
    public MtpModel SolveLinear(MtpModel model)
    {
        var kernel = new MtpKernel(model);
        var nα = model.Basis.ScalarCount;
        var np = _species + nα;
        var gram = new double[np * np];
        var rhs = new double[np];
        // Fixed chunks of structures, each with its own sums, added in chunk order: the same result on any number of cores.
        var chunks = Chunks();
        var partial = new (double[] G, double[] B)[chunks.Length];
        Parallel.For(0, chunks.Length, Options(), c =>
        {
            var local = (G: new double[np * np], B: new double[np]);
            var scratch = new DesignScratch();
            for (var k = chunks[c].From; k < chunks[c].To; k++) AddDesign(kernel, _items[k], local.G, local.B, scratch);
            partial[c] = local;
        });
        foreach (var (g, b) in partial)
        {
            TensorPrimitives.Add(gram, g, gram);
            TensorPrimitives.Add(rhs, b, rhs);
        }
        // Column scaling to unit diagonal, then ridge λ·I.
        var scale = new double[np];
        for (var a = 0; a < np; a++) scale[a] = gram[a * np + a] > 0 ? 1.0 / Math.Sqrt(gram[a * np + a]) : 1.0;
        var matrix = DenseMatrix.Create(np, np, (a, b) => gram[a * np + b] * scale[a] * scale[b]);
        for (var a = 0; a < np; a++) matrix[a, a] += _ridge + (gram[a * np + a] > 0 ? 0 : 1.0);
        var vector = DenseVector.Create(np, a => rhs[a] * scale[a]);
        Vector<double> solution;
        try { solution = matrix.Cholesky().Solve(vector); }
        catch (ArgumentException) { solution = matrix.Svd().Solve(vector); }
        var x = Enumerable.Range(0, np).Select(a => solution[a] * scale[a]).ToArray();
        return model.WithLinear(x.AsSpan(0, _species), x.AsSpan(_species));
    }

    private sealed class DesignScratch
    {
        public double[] B = [], DB = [], Forces = [], Energy = [], Virial = [];
        public Vec3[] CoreForces = [], CoreGradient = [];
    }

    // One structure's rows: energy (species counts, Σ_i B_α), forces −∂/∂r of Σ_i B_α (stored by column), virial.
    private void AddDesign(MtpKernel kernel, Item item, double[] gram, double[] rhs, DesignScratch s)
    {
        var model = kernel.Model;
        var nα = model.Basis.ScalarCount;
        var np = _species + nα;
        var nb = item.Neighbourhoods;
        var n = item.Structure.Count;
        var rows = 3 * n;
        if (s.B.Length < nα) s.B = new double[nα];
        if (s.DB.Length < nα * 3 * nb.MaxNeighbours) s.DB = new double[nα * 3 * Math.Max(nb.MaxNeighbours, 1)];
        if (s.Forces.Length < rows * nα) s.Forces = new double[rows * nα];
        if (s.Energy.Length < np) s.Energy = new double[np];
        if (s.Virial.Length < 6 * nα) s.Virial = new double[6 * nα];
        var energy = s.Energy.AsSpan(0, np);
        var forces = s.Forces.AsSpan(0, rows * nα);
        var virial = s.Virial.AsSpan(0, 6 * nα);
        energy.Clear(); forces.Clear(); virial.Clear();
        var ws = MtpPotential.ThreadWorkspace;
        var offsets = nb.Offsets;
        // The core is parameter-free: its energy, forces and virial come off the targets (zero where no pair is inside it).
        var hasCore = model.Core is not null;
        double coreEnergy = 0;
        Span<double> coreVirial = stackalloc double[6];
        if (hasCore)
        {
            if (s.CoreForces.Length < n) s.CoreForces = new Vec3[n];
            if (s.CoreGradient.Length < nb.MaxNeighbours) s.CoreGradient = new Vec3[nb.MaxNeighbours];
            Array.Clear(s.CoreForces, 0, n);
        }
        for (var i = 0; i < n; i++)
        {
            var start = offsets[i];
            var count = offsets[i + 1] - start;
            var d = nb.Displacements.Slice(start, count);
            if (hasCore)
            {
                var g = s.CoreGradient.AsSpan(0, count);
                g.Clear();
                coreEnergy += kernel.CoreOnly(nb.Types[i], d, nb.NeighbourTypes.Slice(start, count), g);
                for (var k = 0; k < count; k++)
                {
                    var gk = g[k];
                    if (gk.X == 0 && gk.Y == 0 && gk.Z == 0) continue;
                    var dk = d[k];
                    s.CoreForces[i] += gk;
                    s.CoreForces[nb.Neighbours[start + k]] -= gk;
                    coreVirial[0] += gk.X * dk.X; coreVirial[1] += gk.Y * dk.Y; coreVirial[2] += gk.Z * dk.Z;
                    coreVirial[3] += 0.5 * (gk.Y * dk.Z + gk.Z * dk.Y); coreVirial[4] += 0.5 * (gk.X * dk.Z + gk.Z * dk.X); coreVirial[5] += 0.5 * (gk.X * dk.Y + gk.Y * dk.X);
                }
            }
            var width = 3 * count;
            var db = s.DB.AsSpan(0, nα * width);
            kernel.BasisWithDerivatives(ws, nb.Types[i], d, nb.NeighbourTypes.Slice(start, count), s.B, db);
            energy[nb.Types[i]] += 1;
            TensorPrimitives.Add(energy.Slice(_species, nα), s.B.AsSpan(0, nα), energy.Slice(_species, nα));
            if (item.ForceWeight == 0 && item.StressWeight == 0) continue;
            for (var k = 0; k < count; k++)
            {
                var j = nb.Neighbours[start + k];
                var dk = d[k];
                for (var a = 0; a < nα; a++)
                {
                    var gx = db[a * width + 3 * k];
                    var gy = db[a * width + 3 * k + 1];
                    var gz = db[a * width + 3 * k + 2];
                    // F = −∂E/∂r: ∂B(i)/∂r_j = ∂B/∂d, ∂B(i)/∂r_i = −∂B/∂d.
                    var col = forces.Slice(a * rows, rows);
                    col[3 * i] += gx; col[3 * i + 1] += gy; col[3 * i + 2] += gz;
                    col[3 * j] -= gx; col[3 * j + 1] -= gy; col[3 * j + 2] -= gz;
                    var v = virial.Slice(a * 6, 6);
                    v[0] += gx * dk.X; v[1] += gy * dk.Y; v[2] += gz * dk.Z;
                    v[3] += 0.5 * (gy * dk.Z + gz * dk.Y); v[4] += 0.5 * (gx * dk.Z + gz * dk.X); v[5] += 0.5 * (gx * dk.Y + gy * dk.X);
                }
            }
        }
        var structure = item.Structure;
        if (item.EnergyWeight > 0)
        {
            var w = item.EnergyWeight;
            var target = structure.Energy!.Value - coreEnergy;
            for (var a = 0; a < np; a++)
            {
                if (energy[a] == 0) continue;
                rhs[a] += w * energy[a] * target;
                for (var b = 0; b < np; b++) gram[a * np + b] += w * energy[a] * energy[b];
            }
        }
        if (item.ForceWeight > 0)
        {
            var w = item.ForceWeight;
            var f = structure.Forces!;
            Span<double> target = rows <= 4096 ? stackalloc double[rows] : new double[rows];
            for (var i = 0; i < n; i++)
            {
                var fi = hasCore ? f[i] - s.CoreForces[i] : f[i];
                target[3 * i] = fi.X; target[3 * i + 1] = fi.Y; target[3 * i + 2] = fi.Z;
            }
            for (var a = 0; a < nα; a++)
            {
                var ca = forces.Slice(a * rows, rows);
                rhs[_species + a] += w * TensorPrimitives.Dot(ca, target);
                for (var b = a; b < nα; b++)
                {
                    var value = w * TensorPrimitives.Dot(ca, forces.Slice(b * rows, rows));
                    gram[(_species + a) * np + _species + b] += value;
                    if (b != a) gram[(_species + b) * np + _species + a] += value;
                }
            }
        }
        if (item.StressWeight > 0)
        {
            var w = item.StressWeight;
            Span<double> target = stackalloc double[6];
            for (var c = 0; c < 6; c++) target[c] = item.VirialTarget![c] - coreVirial[c];
            for (var a = 0; a < nα; a++)
            {
                var va = virial.Slice(a * 6, 6);
                rhs[_species + a] += w * TensorPrimitives.Dot(va, target);
                for (var b = 0; b < nα; b++) gram[(_species + a) * np + _species + b] += w * TensorPrimitives.Dot(va, virial.Slice(b * 6, 6));
            }
        }
    }

    /// <summary>Loss, root-mean-square errors, and ∂loss/∂θ for all parameters (order of <see cref="MtpModel.Parameters"/>).</summary>
    public (double Loss, double EnergyRmsePerAtom, double ForceRmse) LossAndGradient(MtpModel model, Span<double> gradient)
    {
        var kernel = new MtpKernel(model);
        var np = model.ParameterCount;
        var total = new double[np];
        double loss = 0, e2 = 0, f2 = 0;
        long eCount = 0, fCount = 0;
        var chunks = Chunks();
        var partial = new LossScratch[chunks.Length];
        Parallel.For(0, chunks.Length, Options(), c =>
        {
            var local = new LossScratch(np);
            for (var k = chunks[c].From; k < chunks[c].To; k++) AddLoss(kernel, _items[k], local);
            partial[c] = local;
        });
        foreach (var local in partial)
        {
            TensorPrimitives.Add(total, local.Gradient, total);
            loss += local.Loss; e2 += local.E2; f2 += local.F2; eCount += local.ECount; fCount += local.FCount;
        }
        total.CopyTo(gradient);
        return (loss, eCount > 0 ? Math.Sqrt(e2 / eCount) : double.NaN, fCount > 0 ? Math.Sqrt(f2 / fCount) : double.NaN);
    }

    private sealed class LossScratch(int parameters)
    {
        public readonly double[] Gradient = new double[parameters];
        public double Loss, E2, F2;
        public long ECount, FCount;
        public Vec3[] G = [], F = [], V = [];
    }

    private void AddLoss(MtpKernel kernel, Item item, LossScratch s)
    {
        var nb = item.Neighbourhoods;
        var structure = item.Structure;
        var n = structure.Count;
        var entries = nb.EntryCount;
        if (s.G.Length < entries) { s.G = new Vec3[entries]; s.V = new Vec3[entries]; }
        if (s.F.Length < n) s.F = new Vec3[n];
        var ws = MtpPotential.ThreadWorkspace;
        var offsets = nb.Offsets;
        var energy = 0.0;
        Span<double> w = stackalloc double[9];
        for (var i = 0; i < n; i++)
        {
            var start = offsets[i];
            var count = offsets[i + 1] - start;
            var d = nb.Displacements.Slice(start, count);
            var g = s.G.AsSpan(start, count);
            energy += kernel.Energy(ws, nb.Types[i], d, nb.NeighbourTypes.Slice(start, count), g);
            for (var k = 0; k < count; k++)
            {
                w[0] += g[k].X * d[k].X; w[1] += g[k].Y * d[k].Y; w[2] += g[k].Z * d[k].Z;
                w[3] += 0.5 * (g[k].Y * d[k].Z + g[k].Z * d[k].Y); w[4] += 0.5 * (g[k].X * d[k].Z + g[k].Z * d[k].X); w[5] += 0.5 * (g[k].X * d[k].Y + g[k].Y * d[k].X);
            }
        }
        var mirrors = nb.Mirrors;
        for (var i = 0; i < n; i++)
        {
            var f = new Vec3(0, 0, 0);
            for (var k = offsets[i]; k < offsets[i + 1]; k++) f += s.G[k] - s.G[mirrors[k]];
            s.F[i] = f;
        }
        // ∂loss/∂E_s and ∂loss/∂g_k (g_k = ∂E_i/∂d_k enters F_i with +, F_j with −, and the virial as g ⊗ d).
        var dE = 0.0;
        if (item.EnergyWeight > 0)
        {
            var r = energy - structure.Energy!.Value;
            s.Loss += item.EnergyWeight * r * r;
            dE = 2 * item.EnergyWeight * r;
            s.E2 += r / n * (r / n); s.ECount++;
        }
        var residualF = s.F.AsSpan(0, n);
        if (item.ForceWeight > 0)
        {
            var target = structure.Forces!;
            for (var i = 0; i < n; i++)
            {
                var r = residualF[i] - target[i];
                s.Loss += item.ForceWeight * r.LengthSquared;
                s.F2 += r.LengthSquared; s.FCount += 3;
                residualF[i] = 2 * item.ForceWeight * r;
            }
        }
        else residualF.Clear();
        Span<double> dW = stackalloc double[6];
        if (item.StressWeight > 0)
        {
            for (var c = 0; c < 6; c++)
            {
                var r = w[c] - item.VirialTarget![c];
                s.Loss += item.StressWeight * r * r;
                dW[c] = 2 * item.StressWeight * r;
            }
        }
        var neighbours = nb.Neighbours;
        for (var k = 0; k < entries; k++)
        {
            var dk = nb.Displacements[k];
            // ∂/∂g of Σ_c dW_c W_c with W_c symmetrised: the diagonal reads g_a d_a, the off-diagonal ½(g_a d_b + g_b d_a).
            var fromVirial = new Vec3(dW[0] * dk.X + 0.5 * (dW[5] * dk.Y + dW[4] * dk.Z),
                                      dW[1] * dk.Y + 0.5 * (dW[5] * dk.X + dW[3] * dk.Z),
                                      dW[2] * dk.Z + 0.5 * (dW[4] * dk.X + dW[3] * dk.Y));
            s.V[k] = fromVirial;
        }
        for (var i = 0; i < n; i++)
            for (var k = offsets[i]; k < offsets[i + 1]; k++)
                s.V[k] += residualF[i] - residualF[neighbours[k]];
        for (var i = 0; i < n; i++)
        {
            var start = offsets[i];
            var count = offsets[i + 1] - start;
            kernel.ParameterGradient(ws, nb.Types[i], nb.Displacements.Slice(start, count), nb.NeighbourTypes.Slice(start, count), dE,
                s.V.AsSpan(start, count), s.Gradient);
        }
    }

    /// <summary>
    /// Trains from <paramref name="start"/>: linear solve, then L-BFGS on the radial coefficients, each trial point's
    /// linear coefficients solved exactly. Returns the model with the lowest loss seen.
    /// </summary>
    /// <param name="timeLimit">Stop starting new iterations after this long (null: no limit).</param>
    /// <param name="stop">Also stop starting new iterations when this returns true (e.g. a cancellation).</param>
    public MtpModel Fit(MtpModel start, int maxIterations, Action<MtpFitProgress>? progress = null, int restart = 0, Action<MtpModel, double>? improved = null,
        TimeSpan? timeLimit = null, Func<bool>? stop = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var best = SolveLinear(start);
        var bestLoss = double.PositiveInfinity;
        var evaluations = 0;
        var radialCount = start.RadialParameterCount;
        var gradient = new double[start.ParameterCount];
        double Evaluate(double[] theta, double[] thetaGradient)
        {
            var model = SolveLinear(best.WithRadial(theta));
            var (loss, eRmse, fRmse) = LossAndGradient(model, gradient);
            evaluations++;
            if (double.IsFinite(loss) && loss < bestLoss)
            {
                bestLoss = loss;
                best = model;
                improved?.Invoke(model, loss);
            }
            progress?.Invoke(new MtpFitProgress(evaluations, restart, loss, eRmse, fRmse, clock.Elapsed));
            Array.Copy(gradient, thetaGradient, radialCount);
            return loss;
        }
        var (_, _, iterations, reason) = LimitedMemoryBfgs.Minimise(Evaluate, start.RadialCoefficients, maxIterations,
            stop: timeLimit is null && stop is null ? null : () => (timeLimit is { } limit && clock.Elapsed >= limit) || (stop?.Invoke() ?? false));
        Iterations = iterations;
        StopReason = reason;
        return best;
    }
}
