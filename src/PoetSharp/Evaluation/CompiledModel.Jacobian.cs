using System.Numerics.Tensors;
using PoetSharp.Models;

namespace PoetSharp.Evaluation;

// The Jacobian of the forces and of the strain derivative with respect to the constants, by forward mode in the
// constants (all K tangent directions carried together):
//   pair level: hyper-dual numbers per pair (value, d/dr, d/dc_k, d²/dr dc_k) through each sum's pair expression, the
//   values, d/dr and the logarithms of the powers' bases from the vectorised batch pass;
//   atom level: forward tangents through F, then reverse mode with adjoint tangents, which gives d(∂F/∂S_m)/dc_k;
//   force pass: d/dc_k [Σ_m ∂F/∂S_m (g_m' f + g_m f')] per pair, scattered like the forces and the virial.
// Pairs are ordered by their first atom, so everything per pair lives only while that atom is processed.
public sealed partial class CompiledModel
{
    // The constants of a subtree have consecutive indices [_firstConstant[i], _endConstant[i]) (postfix order), and the
    // tangents of node i vanish outside that range: the pair-level loops run over it only.
    private readonly int[] _firstConstant, _endConstant;

    private static (int[] First, int[] End) ConstantRanges(Node[] nodes)
    {
        var before = new int[nodes.Length + 1]; // constants among nodes [0, i)
        for (var i = 0; i < nodes.Length; i++) before[i + 1] = before[i] + (nodes[i].Kind == NodeKind.Constant ? 1 : 0);
        int[] first = new int[nodes.Length], end = new int[nodes.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            first[i] = before[i - nodes[i].Size + 1];
            end[i] = before[i + 1];
        }
        return (first, end);
    }

    public sealed partial class Workspace
    {
        // Per node: value, d/dr, tangents d/dc_k and d²/dr dc_k (K per node). Constant subtrees hold their tangents for the
        // whole structure; pair-level nodes are overwritten per pair, atom-level nodes per atom.
        internal double[] HyperValues = [], HyperDerivatives = [], HyperTangents = [], HyperDerivativeTangents = [];
        internal double[] AtomAdjoints = [], AdjointTangents = [];
        // Per sum: dS_m/dc_k and d(∂F/∂S_m)/dc_k of the current atom; per pair of the current atom and sum: dg/dc_k, dg'/dc_k.
        internal double[] SumTangents = [], GradientTangents = [], PairTangents = [], PairDerivativeTangents = [];
        internal double[] PairForceTangents = [], PowLogs = [];
        // Angular sums: dM/dc_k of the current atom's moments ([k · MomentWidth + c]) and the transverse force tangents (3 per k).
        internal double[] MomentTangents = [], TransverseTangents = [];
        internal int MaxNeighbours;

        internal void EnsureJacobian(CompiledModel model, int neighbours)
        {
            int n = model._nodes.Length, constants = model.ConstantCount, sums = Math.Max(1, model.SumCount);
            if (HyperValues.Length < n || HyperTangents.Length < n * constants)
            {
                HyperValues = new double[n]; HyperDerivatives = new double[n];
                HyperTangents = new double[n * constants]; HyperDerivativeTangents = new double[n * constants];
                AtomAdjoints = new double[n]; AdjointTangents = new double[n * constants];
                SumTangents = new double[sums * constants]; GradientTangents = new double[sums * constants];
                PairForceTangents = new double[constants];
                MomentTangents = new double[constants * model._momentWidth];
                TransverseTangents = new double[3 * constants];
                PowLogs = new double[Math.Max(1, model._slotCount) * Batch];
                MaxNeighbours = 0;
                PairTangents = []; PairDerivativeTangents = [];
            }
            if (neighbours > MaxNeighbours || PairTangents.Length < neighbours * sums * constants)
            {
                MaxNeighbours = Math.Max(neighbours, MaxNeighbours);
                PairTangents = new double[MaxNeighbours * sums * constants];
                PairDerivativeTangents = new double[MaxNeighbours * sums * constants];
            }
        }
    }

    /// <summary>
    /// After <see cref="EvaluateStructure"/> on the same workspace and structure: ∂F_ia/∂c_k at
    /// [(3 i + a) · ConstantCount + k] of <paramref name="forceJacobian"/> and ∂(strain derivative)_v/∂c_k (Voigt v) at
    /// [v · ConstantCount + k] of <paramref name="strainJacobian"/>. Returns whether every entry is finite.
    /// </summary>
    internal bool EvaluateForceStressJacobian(Workspace w, in PairSpans pairs, int atomCount, Span<double> forceJacobian, Span<double> strainJacobian)
    {
        var K = ConstantCount;
        var sums = SumCount;
        forceJacobian[..(3 * atomCount * K)].Clear();
        strainJacobian[..(6 * K)].Clear();
        if (K == 0) return true;
        w.EnsureJacobian(this, 0);
        var hv = w.HyperValues;
        var hd = w.HyperDerivatives;
        var ht = w.HyperTangents;
        var hu = w.HyperDerivativeTangents;

        // Constant subtrees: values from the evaluation, tangents by forward mode, no r dependence.
        for (var i = 0; i < _nodes.Length; i++)
        {
            if (!_isScalar[i]) continue;
            var node = _nodes[i];
            var t = ht.AsSpan(i * K, K);
            hv[i] = w.NodeValues[i];
            hd[i] = 0;
            hu.AsSpan(i * K, K).Clear();
            if (node.Kind == NodeKind.Constant)
            {
                t.Clear();
                t[node.ConstantIndex] = 1;
                continue;
            }
            var (pa, pb) = ScalarPartials(i, hv);
            ForwardTangents(i, pa, pb, t, ht, K);
        }

        var np = pairs.Count;
        var speciesResolved = IsSpeciesResolved;
        var p0 = 0;
        while (p0 < np)
        {
            var atom = pairs.I[p0];
            var p1 = p0 + 1;
            while (p1 < np && pairs.I[p1] == atom) p1++;
            var count = p1 - p0;
            w.EnsureJacobian(this, count);

            // Pair level: dg/dc_k and dg'/dc_k per pair and sum; dS_m/dc_k.
            var sumTangents = w.SumTangents.AsSpan(0, Math.Max(1, sums) * K);
            sumTangents.Clear();
            var momentTangents = w.MomentTangents.AsSpan(0, K * _momentWidth);
            momentTangents.Clear();
            var atomMoments = w.Moments.AsSpan(atom * _momentWidth, _momentWidth);
            for (var start = 0; start < count; start += Batch)
            {
                var n = Math.Min(Batch, count - start);
                for (var m = 0; m < sums; m++)
                {
                    RunPairProgram(w, m, pairs.R.Slice(p0 + start, n), w.NodeValues);
                    PowLogarithms(w, m, n);
                    var root = _sumRoots[m];
                    var dg = ht.AsSpan(root * K, K);
                    var du = hu.AsSpan(root * K, K);
                    var element = _sumElement[m];
                    for (var q = start; q < start + n; q++)
                    {
                        var at = (q * sums + m) * K;
                        if (element != 0 && pairs.ElementJ[p0 + q] != element)
                        {
                            // A neighbour of another element: not in this sum.
                            w.PairTangents.AsSpan(at, K).Clear();
                            w.PairDerivativeTangents.AsSpan(at, K).Clear();
                            continue;
                        }
                        RunHyperProgram(w, m, q - start);
                        dg.CopyTo(w.PairTangents.AsSpan(at, K));
                        du.CopyTo(w.PairDerivativeTangents.AsSpan(at, K));
                        var f = pairs.Taper[p0 + q];
                        var l = _sumOrder[m];
                        if (l < 0)
                        {
                            for (var k = 0; k < K; k++) sumTangents[m * K + k] += dg[k] * f;
                            continue;
                        }
                        // An angular density: dS/dc_k = Σ_q h_q dφ_q/dc_k, and the moment's tangents dM/dc_k = Σ_q dφ_q/dc_k r̂^{⊗l}.
                        var p = p0 + q;
                        var inverseR = 1 / pairs.R[p];
                        double ux = pairs.Dx[p] * inverseR, uy = pairs.Dy[p] * inverseR, uz = pairs.Dz[p] * inverseR;
                        var width = AngularMoments.Components(l);
                        var h = AngularMoments.Project(l, atomMoments.Slice(_momentOffset[m], width), ux, uy, uz, out _, out _, out _);
                        for (int k = _firstConstant[root], end = _endConstant[root]; k < end; k++)
                        {
                            var dphi = dg[k] * f;
                            if (dphi == 0) continue;
                            sumTangents[m * K + k] += h * dphi;
                            AngularMoments.Add(l, dphi, ux, uy, uz, momentTangents.Slice(k * _momentWidth + _momentOffset[m], width));
                        }
                    }
                }
            }

            AtomGradientTangents(w, atom, atomCount, pairs.Elements.IsEmpty ? (byte)0 : pairs.Elements[atom]);

            // Force pass: d(∂E/∂r)/dc_k per pair, scattered like the forces and the strain derivative.
            var tangent = w.PairForceTangents.AsSpan(0, K);
            var transverse = w.TransverseTangents.AsSpan(0, 3 * K);
            for (var q = 0; q < count; q++)
            {
                var p = p0 + q;
                double f = pairs.Taper[p], df = pairs.TaperDerivative[p];
                tangent.Clear();
                if (_hasAngular) transverse.Clear();
                for (var m = 0; m < sums; m++)
                {
                    // A neighbour outside a species-resolved sum contributes nothing to it.
                    if (_sumElement[m] != 0 && pairs.ElementJ[p] != _sumElement[m]) continue;
                    if (_sumOrder[m] >= 0)
                    {
                        AngularForceTangents(w, pairs, p, q, m, atom, atomCount, momentTangents, tangent, transverse);
                        continue;
                    }
                    var gradient = w.Gradients[m * atomCount + atom];
                    var dphi = w.PairDerivatives[m * w.MaxPairs + p];
                    var at = (q * sums + m) * K;
                    if (!speciesResolved) for (var k = 0; k < K; k++) tangent[k] += w.GradientTangents[m * K + k] * dphi;
                    else
                    {
                        // A sum the atom's energy does not depend on (another element's) may hold non-finite pair terms.
                        for (var k = 0; k < K; k++) tangent[k] += Times(dphi, w.GradientTangents[m * K + k]);
                        if (gradient == 0) continue;
                    }
                    var root = _sumRoots[m];
                    for (int k = _firstConstant[root], end = _endConstant[root]; k < end; k++)
                        tangent[k] += gradient * (w.PairDerivativeTangents[at + k] * f + w.PairTangents[at + k] * df);
                }
                var inverseR = 1 / pairs.R[p];
                double dx = pairs.Dx[p], dy = pairs.Dy[p], dz = pairs.Dz[p];
                int i3 = 3 * atom * K, j3 = 3 * pairs.J[p] * K;
                if (_hasAngular)
                {
                    // With the transverse parts of angular sums; the entry's strain derivative symmetrised as in the evaluation.
                    for (var k = 0; k < K; k++)
                    {
                        var gr = tangent[k] * inverseR;
                        double fx = gr * dx + transverse[3 * k], fy = gr * dy + transverse[3 * k + 1], fz = gr * dz + transverse[3 * k + 2];
                        forceJacobian[i3 + k] += fx; forceJacobian[i3 + K + k] += fy; forceJacobian[i3 + 2 * K + k] += fz;
                        forceJacobian[j3 + k] -= fx; forceJacobian[j3 + K + k] -= fy; forceJacobian[j3 + 2 * K + k] -= fz;
                        strainJacobian[k] += dx * fx; strainJacobian[K + k] += dy * fy; strainJacobian[2 * K + k] += dz * fz;
                        strainJacobian[3 * K + k] += 0.5 * (dy * fz + dz * fy);
                        strainJacobian[4 * K + k] += 0.5 * (dx * fz + dz * fx);
                        strainJacobian[5 * K + k] += 0.5 * (dx * fy + dy * fx);
                    }
                    continue;
                }
                for (var k = 0; k < K; k++)
                {
                    var gr = tangent[k] * inverseR;
                    double fx = gr * dx, fy = gr * dy, fz = gr * dz;
                    forceJacobian[i3 + k] += fx; forceJacobian[i3 + K + k] += fy; forceJacobian[i3 + 2 * K + k] += fz;
                    forceJacobian[j3 + k] -= fx; forceJacobian[j3 + K + k] -= fy; forceJacobian[j3 + 2 * K + k] -= fz;
                    strainJacobian[k] += fx * dx; strainJacobian[K + k] += fy * dy; strainJacobian[2 * K + k] += fz * dz;
                    strainJacobian[3 * K + k] += fy * dz; strainJacobian[4 * K + k] += fx * dz; strainJacobian[5 * K + k] += fx * dy;
                }
            }
            p0 = p1;
        }

        foreach (var x in forceJacobian[..(3 * atomCount * K)]) if (!double.IsFinite(x)) return false;
        foreach (var x in strainJacobian[..(6 * K)]) if (!double.IsFinite(x)) return false;
        return true;
    }

    /// <summary>Tangents of operator node i from its operands' (a unary node has one): t_k = ∂v/∂a·t_a,k + ∂v/∂b·t_b,k.</summary>
    private void ForwardTangents(int i, double pa, double pb, Span<double> t, double[] ht, int K)
    {
        var a = LeftChild(i);
        if (_nodes[i].Arity == 1)
        {
            for (var k = 0; k < K; k++) t[k] = Times(pa, ht[a * K + k]);
            return;
        }
        var b = i - 1;
        for (var k = 0; k < K; k++) t[k] = Times(pa, ht[a * K + k]) + Times(pb, ht[b * K + k]);
    }

    /// <summary>
    /// ln a of every operator of sum m's pair program whose second partials use it (the powers a^b), after
    /// <see cref="RunPairProgram"/> on the batch.
    /// </summary>
    private void PowLogarithms(Workspace w, int m, int n)
    {
        foreach (var ins in _programs[m])
        {
            if (ins.Mode == Mode.LoadR || !Operators.Of(ins.Kind).SecondPartialsUseLogA) continue;
            var logs = w.PowLogs.AsSpan(_slot[ins.Out] * Batch, n);
            if (ins.Mode == Mode.SV) logs.Fill(Math.Log(w.NodeValues[ins.A]));
            else TensorPrimitives.Log(w.Values.AsSpan(_slot[ins.A] * Batch, n), logs);
        }
    }

    /// <summary>
    /// Sum m's pair expression for entry q of the batch in hyper-dual numbers: values and d/dr from the batch pass, tangents
    /// here; constant subtrees are already in the buffers.
    /// </summary>
    private void RunHyperProgram(Workspace w, int m, int q)
    {
        var K = ConstantCount;
        var hv = w.HyperValues;
        var hd = w.HyperDerivatives;
        var ht = w.HyperTangents;
        var hu = w.HyperDerivativeTangents;
        foreach (var ins in _programs[m])
        {
            var o = ins.Out;
            var at = _slot[o] * Batch + q;
            if (ins.Mode == Mode.LoadR)
            {
                // No constants below r: its tangents are never written and stay zero.
                hv[o] = w.Values[at];
                hd[o] = 1;
                continue;
            }
            var op = Operators.Of(ins.Kind);
            var v = w.Values[at];
            hv[o] = v;
            hd[o] = w.Derivatives[at];
            int a = ins.A, b = ins.B;
            if (ins.Mode == Mode.V)
            {
                var u = op.SecondPartials(hv[a], double.NaN, v, double.NaN);
                var du = hd[a];
                for (int k = _firstConstant[o], end = _endConstant[o]; k < end; k++)
                {
                    var ta = ht[a * K + k];
                    ht[o * K + k] = Times(u.Da, ta);
                    hu[o * K + k] = Times(u.Da, hu[a * K + k]) + Times(Times(u.Daa, ta), du);
                }
                continue;
            }
            double va = hv[a], vb = hv[b], da = hd[a], db = hd[b];
            // ln a from the batch pass where the operator uses it (a power with a positive base), else computed there.
            var logA = op.SecondPartialsUseLogA && va > 0 ? w.PowLogs[at] : double.NaN;
            var (pa, pb, paa, pab, pbb) = op.SecondPartials(va, vb, v, logA);
            for (int k = _firstConstant[o], end = _endConstant[o]; k < end; k++)
            {
                double ta = ht[a * K + k], tb = ht[b * K + k];
                ht[o * K + k] = Times(pa, ta) + Times(pb, tb);
                hu[o * K + k] = Times(pa, hu[a * K + k]) + Times(pb, hu[b * K + k])
                                + Times(Times(paa, ta) + Times(pab, tb), da) + Times(Times(pab, ta) + Times(pbb, tb), db);
            }
        }
    }

    /// <summary>d(∂F/∂S_m)/dc_k of one atom: forward tangents through F, then reverse mode with adjoint tangents.</summary>
    private void AtomGradientTangents(Workspace w, int atom, int atomCount, byte atomElement)
    {
        var K = ConstantCount;
        var hv = w.HyperValues;
        var ht = w.HyperTangents;
        var adjoints = w.AtomAdjoints;
        var adjointTangents = w.AdjointTangents;
        var root = _nodes.Length - 1;
        for (var i = 0; i <= root; i++)
        {
            if (_inSum[i] || _isScalar[i]) continue;
            var node = _nodes[i];
            var t = ht.AsSpan(i * K, K);
            if (Models.Nodes.IsNeighbourSum(node.Kind))
            {
                var m = _sumOfNode[i];
                hv[i] = w.Sums[m * atomCount + atom];
                w.SumTangents.AsSpan(m * K, K).CopyTo(t);
                continue;
            }
            if (node.Kind == NodeKind.Central)
            {
                // at[A]: the child at an atom of element A, zero at others.
                if (atomElement == node.Element) { hv[i] = hv[i - 1]; ht.AsSpan((i - 1) * K, K).CopyTo(t); }
                else { hv[i] = 0; t.Clear(); }
                continue;
            }
            hv[i] = ApplyScalar(i, hv);
            var (pa, pb) = ScalarPartials(i, hv);
            ForwardTangents(i, pa, pb, t, ht, K);
        }

        for (var i = 0; i <= root; i++)
        {
            if (_inSum[i] || _isScalar[i]) continue;
            adjoints[i] = 0;
            adjointTangents.AsSpan(i * K, K).Clear();
        }
        adjoints[root] = 1;
        for (var i = root; i >= 0; i--)
        {
            if (_inSum[i] || _isScalar[i]) continue;
            var node = _nodes[i];
            var adj = adjoints[i];
            var adjT = adjointTangents.AsSpan(i * K, K);
            if (Models.Nodes.IsNeighbourSum(node.Kind))
            {
                adjT.CopyTo(w.GradientTangents.AsSpan(_sumOfNode[i] * K, K));
                continue;
            }
            if (node.Kind == NodeKind.Central)
            {
                // Linear in its child, which is a constant subtree (no adjoint needed) or receives everything at atoms of A.
                if (atomElement != node.Element || _isScalar[i - 1]) continue;
                adjoints[i - 1] += adj;
                for (var k = 0; k < K; k++) adjointTangents[(i - 1) * K + k] += adjT[k];
                continue;
            }
            var op = Operators.Of(node.Kind);
            var a = LeftChild(i);
            if (op.Arity == 1)
            {
                // The operand of a unary atom-level node is atom-level too.
                var u = op.SecondPartials(hv[a], double.NaN, hv[i], double.NaN);
                adjoints[a] += Times(u.Da, adj);
                for (var k = 0; k < K; k++)
                    adjointTangents[a * K + k] += Times(u.Da, adjT[k]) + Times(Times(u.Daa, ht[a * K + k]), adj);
                continue;
            }
            var b = i - 1;
            var (pa, pb, paa, pab, pbb) = op.SecondPartials(hv[a], hv[b], hv[i], double.NaN);
            // Constant subtrees need no adjoints: their dependence on the constants is in the forward tangents.
            if (!_isScalar[a])
            {
                adjoints[a] += Times(pa, adj);
                for (var k = 0; k < K; k++)
                    adjointTangents[a * K + k] += Times(pa, adjT[k]) + Times(Times(paa, ht[a * K + k]) + Times(pab, ht[b * K + k]), adj);
            }
            if (!_isScalar[b])
            {
                adjoints[b] += Times(pb, adj);
                for (var k = 0; k < K; k++)
                    adjointTangents[b * K + k] += Times(pb, adjT[k]) + Times(Times(pab, ht[a * K + k]) + Times(pbb, ht[b * K + k]), adj);
            }
        }
    }

    /// <summary>
    /// d/dc_k of angular sum m's part of ∂E/∂d for entry p (the q-th of its atom): with g = ∂E_i/∂S_m, R = h φ′ − l φ h/r
    /// (radial) and T = (φ/r) ∇h (transverse), d(gR)/dc_k into <paramref name="tangent"/> and d(gT)/dc_k into
    /// <paramref name="transverse"/>; h, ∇h from the atom's moment, their tangents from the moment's tangents.
    /// </summary>
    private void AngularForceTangents(Workspace w, in PairSpans pairs, int p, int q, int m, int atom, int atomCount,
        ReadOnlySpan<double> momentTangents, Span<double> tangent, Span<double> transverse)
    {
        var K = ConstantCount;
        var l = _sumOrder[m];
        var width = AngularMoments.Components(l);
        var offset = _momentOffset[m];
        var r = pairs.R[p];
        double ux = pairs.Dx[p] / r, uy = pairs.Dy[p] / r, uz = pairs.Dz[p] / r;
        double f = pairs.Taper[p], df = pairs.TaperDerivative[p];
        var g = w.Gradients[m * atomCount + atom];
        var phi = w.PairValues[m * w.MaxPairs + p];
        var dphi = w.PairDerivatives[m * w.MaxPairs + p];
        var h = AngularMoments.Project(l, w.Moments.AsSpan(atom * _momentWidth + offset, width), ux, uy, uz, out var gx, out var gy, out var gz);
        var radial = h * dphi - l * phi * h / r;
        var c = phi / r;
        var at = (q * SumCount + m) * K;
        var root = _sumRoots[m];
        int first = _firstConstant[root], end = _endConstant[root];
        for (var k = 0; k < K; k++)
        {
            var gk = w.GradientTangents[m * K + k];
            if (gk != 0)
            {
                tangent[k] += gk * radial;
                transverse[3 * k] += gk * c * gx; transverse[3 * k + 1] += gk * c * gy; transverse[3 * k + 2] += gk * c * gz;
            }
            if (g == 0) continue;
            // dh_k and d∇h_k from dM/dc_k (every constant of the model may move the moment only through this sum's g: k in [first, end)).
            if (k < first || k >= end) continue;
            var dh = AngularMoments.Project(l, momentTangents.Slice(k * _momentWidth + offset, width), ux, uy, uz, out var dgx, out var dgy, out var dgz);
            var dPhi = w.PairTangents[at + k] * f;
            var dDphi = w.PairDerivativeTangents[at + k] * f + w.PairTangents[at + k] * df;
            tangent[k] += g * (dh * dphi + h * dDphi - l * (dPhi * h + phi * dh) / r);
            transverse[3 * k] += g * (dPhi * gx + phi * dgx) / r;
            transverse[3 * k + 1] += g * (dPhi * gy + phi * dgy) / r;
            transverse[3 * k + 2] += g * (dPhi * gz + phi * dgz) / r;
        }
    }

    /// <summary>x·y, zero when y is zero (a partial derivative that is not finite does not matter where nothing depends on it).</summary>
    private static double Times(double x, double y) => y == 0 ? 0 : x * y;

}
