using System.Numerics.Tensors;
using PoetSharp.Atoms;

namespace PoetSharp.Mtp;

/// <summary>
/// The per-atom computations of an <see cref="MtpModel"/>, on one atom's neighbourhood (displacements d_j = r_j − r_i
/// within the cutoff and the neighbours' species numbers):
/// <list type="bullet">
/// <item><see cref="Energy"/>: E_i and ∂E_i/∂d_j (reverse mode through the product program);</item>
/// <item><see cref="BasisWithDerivatives"/>: every B_α and ∂B_α/∂d_j (forward mode), the rows of the linear design matrix;</item>
/// <item><see cref="ParameterGradient"/>: ∂/∂θ of (a E_i + Σ_j ∂E_i/∂d_j · v_j) for all parameters θ, given a and
/// v_j: the vector–Jacobian products of energies, forces and stresses that a loss gradient needs.</item>
/// </list>
/// <para>
/// Layout. The basic moments are gathered into "slots": for each radial function μ, the monomials x̂^a ŷ^b ẑ^c of every
/// degree up to the largest rank used with μ, in order of degree. A neighbour then adds f_μ(r) times its monomial vector
/// to μ's slots (one vectorised multiply–add per μ), and each basic moment reads its slot.
/// </para>
/// </summary>
public sealed class MtpKernel
{
    public MtpModel Model { get; }
    private readonly int _nmu, _nb, _ns;
    private readonly double[] _c;          // radial coefficients
    private readonly double[] _w;          // moment coefficients
    private readonly double _rmin, _rcut, _scaling;
    private readonly MtpCore? _core;
    // Monomials up to the largest rank: powers, degree, and the monomial one lower in x, y, z (−1 if that power is 0).
    private readonly int _maxRank, _monoCount;
    private readonly int[] _pa, _pb, _pc, _deg, _downX, _downY, _downZ;
    // The monomial one degree lower that each monomial multiplies, and by which component (0 x̂, 1 ŷ, 2 ẑ).
    private readonly int[] _parent, _axis;
    // Slots: μ's slots start at _slotStart[μ] and hold the first _slotCount[μ] monomials.
    private readonly int[] _slotStart, _slotCount;
    private readonly int _slots;
    private readonly int[] _basicSlot;
    // The products as one array of records, read in one stream by every sweep.
    private readonly Product[] _products;

    private readonly record struct Product(int Left, int Right, int Out, double Mult);
    private readonly int[] _scalars;
    private readonly int _moments, _basic;

    public MtpKernel(MtpModel model)
    {
        Model = model;
        var basis = model.Basis;
        _nmu = model.RadialFunctionCount;
        _nb = model.RadialBasisSize;
        _ns = model.SpeciesCount;
        _c = model.RadialCoefficients;
        _w = model.MomentCoefficients;
        _rmin = model.MinDistance;
        _rcut = model.Cutoff;
        _scaling = model.Scaling;
        _core = model.Core;
        _maxRank = basis.MaxRank;
        _monoCount = MonomialsUpTo(_maxRank);
        _pa = new int[_monoCount]; _pb = new int[_monoCount]; _pc = new int[_monoCount]; _deg = new int[_monoCount];
        _downX = new int[_monoCount]; _downY = new int[_monoCount]; _downZ = new int[_monoCount];
        for (int d = 0, t = 0; d <= _maxRank; d++)
            for (var a = d; a >= 0; a--)
                for (var b = d - a; b >= 0; b--, t++)
                {
                    var c = d - a - b;
                    _pa[t] = a; _pb[t] = b; _pc[t] = c; _deg[t] = d;
                    _downX[t] = a > 0 ? MonomialIndex(a - 1, b, c) : -1;
                    _downY[t] = b > 0 ? MonomialIndex(a, b - 1, c) : -1;
                    _downZ[t] = c > 0 ? MonomialIndex(a, b, c - 1) : -1;
                }
        _parent = new int[_monoCount];
        _axis = new int[_monoCount];
        for (var t = 1; t < _monoCount; t++)
            (_parent[t], _axis[t]) = _downX[t] >= 0 ? (_downX[t], 0) : _downY[t] >= 0 ? (_downY[t], 1) : (_downZ[t], 2);
        var rankOfMu = new int[_nmu];
        Array.Fill(rankOfMu, -1);
        for (var k = 0; k < basis.BasicCount; k++)
        {
            var (a, b, c) = basis.Powers[k];
            rankOfMu[basis.Mu[k]] = Math.Max(rankOfMu[basis.Mu[k]], a + b + c);
        }
        _slotStart = new int[_nmu];
        _slotCount = new int[_nmu];
        for (var mu = 0; mu < _nmu; mu++)
        {
            _slotStart[mu] = _slots;
            _slotCount[mu] = rankOfMu[mu] < 0 ? 0 : MonomialsUpTo(rankOfMu[mu]);
            _slots += _slotCount[mu];
        }
        _basic = basis.BasicCount;
        _basicSlot = new int[_basic];
        for (var k = 0; k < _basic; k++)
        {
            var (a, b, c) = basis.Powers[k];
            _basicSlot[k] = _slotStart[basis.Mu[k]] + MonomialIndex(a, b, c);
        }
        _moments = basis.MomentCount;
        var products = basis.Products;
        _products = products.Select(p => new Product(p.Left, p.Right, p.Out, p.Mult)).ToArray();
        _scalars = basis.Scalars;
    }

    /// <summary>Number of monomials of degree ≤ d in three variables.</summary>
    private static int MonomialsUpTo(int d) => (d + 1) * (d + 2) * (d + 3) / 6;

    // Position of x^a y^b z^c in the degree-ordered list (within a degree, a descending, then b descending).
    private static int MonomialIndex(int a, int b, int c)
    {
        var d = a + b + c;
        var before = d == 0 ? 0 : MonomialsUpTo(d - 1);
        var withinA = (d - a) * (d - a + 1) / 2;    // monomials of degree d with a larger power of x
        return before + withinA + (d - a - b);
    }

    public int SlotCount => _slots;
    public int MonomialCount => _monoCount;
    public int MomentCount => _moments;

    /// <summary>Scratch for one thread; grows to the largest neighbourhood seen.</summary>
    public sealed class Workspace
    {
        internal int Capacity;
        internal double[] R = [], Q = [], DQ = [], F = [], DF = [], Mono = [];
        internal Vec3[] U = [];
        internal double[] S = [], M = [], Adj = [], AdjS = [], NuAdj = [], Dx = [], Dy = [], Dz = [];
        internal double[] Tangent = [], BarM = [], BarS = [], TangentS = [];
        internal double[] Forward = [];   // ∂moment/∂d_j, moments × 3n
        internal int Moments, Slots;

        internal void Ensure(MtpKernel k, int neighbours, bool forward = false)
        {
            if (Moments < k._moments || Slots < k._slots || M.Length == 0)
            {
                Moments = Math.Max(Moments, k._moments);
                Slots = Math.Max(Slots, k._slots);
                S = new double[Slots]; AdjS = new double[Slots]; NuAdj = new double[Slots];
                Dx = new double[Slots]; Dy = new double[Slots]; Dz = new double[Slots];
                BarS = new double[Slots]; TangentS = new double[Slots];
                M = new double[Moments]; Adj = new double[Moments]; Tangent = new double[Moments]; BarM = new double[Moments];
                Capacity = 0;
                Forward = [];
            }
            var perNeighbourMu = k._nmu;
            if (Capacity < neighbours || F.Length < Capacity * perNeighbourMu || Q.Length < Capacity * k._nb || Mono.Length < Capacity * k._monoCount)
            {
                Capacity = Math.Max(Math.Max(neighbours, Capacity), 16);
                R = new double[Capacity]; U = new Vec3[Capacity];
                Q = new double[Capacity * Math.Max(k._nb, 1)]; DQ = new double[Q.Length];
                F = new double[Capacity * Math.Max(perNeighbourMu, 1)]; DF = new double[F.Length];
                Mono = new double[Capacity * k._monoCount];
            }
            if (forward && Forward.Length < k._moments * 3 * neighbours)
                Forward = new double[k._moments * 3 * Math.Max(neighbours, Capacity)];
        }
    }

    // Distances, unit vectors, Chebyshev basis times the cutoff factor, radial functions and monomials of each neighbour.
    private void Radial(Workspace ws, int centre, ReadOnlySpan<Vec3> d, ReadOnlySpan<int> types)
    {
        var n = d.Length;
        var width = _rcut - _rmin;
        var dxi = 2.0 / width;
        for (var j = 0; j < n; j++)
        {
            var r = d[j].Length;
            ws.R[j] = r;
            var u = d[j] * (1.0 / r);
            ws.U[j] = u;
            var q = ws.Q.AsSpan(j * _nb, _nb);
            var dq = ws.DQ.AsSpan(j * _nb, _nb);
            var f = ws.F.AsSpan(j * _nmu, _nmu);
            var df = ws.DF.AsSpan(j * _nmu, _nmu);
            if (r >= _rcut)
            {
                q.Clear(); dq.Clear(); f.Clear(); df.Clear();
            }
            else
            {
                // Inside a core the radial functions see the clamped distance ρ(r); their slopes carry dρ/dr.
                double rho = r, drho = 1;
                if (_core is { } core && r < core.Inner[centre * _ns + types[j]]) rho = core.Clamp(centre * _ns + types[j], r, out drho);
                var xi = (2 * rho - (_rmin + _rcut)) / width;
                var gap = _rcut - rho;
                var smooth = _scaling * gap * gap;
                var dsmooth = -2 * _scaling * gap;
                // T_0 = 1, T_1 = ξ, T_b = 2ξ T_{b−1} − T_{b−2}; the basis is T_b(ξ(r)) · scaling · (R_cut − r)².
                double t0 = 1, t1 = xi, dt0 = 0, dt1 = dxi;
                q[0] = smooth; dq[0] = dsmooth;
                q[1] = t1 * smooth; dq[1] = dt1 * smooth + t1 * dsmooth;
                for (var b = 2; b < _nb; b++)
                {
                    var t2 = 2 * xi * t1 - t0;
                    var dt2 = 2 * (dxi * t1 + xi * dt1) - dt0;
                    q[b] = t2 * smooth;
                    dq[b] = dt2 * smooth + t2 * dsmooth;
                    t0 = t1; t1 = t2; dt0 = dt1; dt1 = dt2;
                }
                if (drho != 1) for (var b = 0; b < _nb; b++) dq[b] *= drho;
                var cOffset = (centre * _ns + types[j]) * _nmu * _nb;
                for (var mu = 0; mu < _nmu; mu++)
                {
                    var c = _c.AsSpan(cOffset + mu * _nb, _nb);
                    double fv = 0, dfv = 0;
                    for (var b = 0; b < c.Length; b++)
                    {
                        fv += c[b] * q[b];
                        dfv += c[b] * dq[b];
                    }
                    f[mu] = fv;
                    df[mu] = dfv;
                }
            }
            Monomials(u, ws.Mono.AsSpan(j * _monoCount, _monoCount));
        }
    }

    // Each monomial of degree d ≥ 1 is one of degree d − 1 times x̂, ŷ or ẑ: one multiplication each.
    private void Monomials(Vec3 u, Span<double> mono)
    {
        mono[0] = 1;
        for (var t = 1; t < mono.Length; t++)
        {
            var axis = _axis[t];
            mono[t] = (axis == 0 ? u.X : axis == 1 ? u.Y : u.Z) * mono[_parent[t]];
        }
    }

    // Moments: slots from the neighbours, basic moments from slots, then the products in order.
    private void Moments(Workspace ws, int n)
    {
        var s = ws.S.AsSpan(0, _slots);
        s.Clear();
        for (var j = 0; j < n; j++)
        {
            var mono = ws.Mono.AsSpan(j * _monoCount, _monoCount);
            for (var mu = 0; mu < _nmu; mu++)
            {
                var count = _slotCount[mu];
                if (count == 0) continue;
                var target = s.Slice(_slotStart[mu], count);
                TensorPrimitives.MultiplyAdd(mono[..count], ws.F[j * _nmu + mu], target, target);
            }
        }
        var m = ws.M;
        for (var k = 0; k < _basic; k++) m[k] = s[_basicSlot[k]];
        Array.Clear(m, _basic, _moments - _basic);
        foreach (ref readonly var p in _products.AsSpan()) m[p.Out] += p.Mult * m[p.Left] * m[p.Right];
    }

    // Adjoint ∂E/∂moment (E = Σ w_α B_α), then summed onto slots, with the slot vectors the gradient needs.
    private void Adjoint(Workspace ws)
    {
        var adj = ws.Adj.AsSpan(0, _moments);
        adj.Clear();
        for (var a = 0; a < _scalars.Length; a++) adj[_scalars[a]] += _w[a];
        var m = ws.M;
        var products = _products.AsSpan();
        for (var k = products.Length - 1; k >= 0; k--)
        {
            ref readonly var p = ref products[k];
            var g = p.Mult * adj[p.Out];
            adj[p.Left] += g * m[p.Right];
            adj[p.Right] += g * m[p.Left];
        }
        var adjS = ws.AdjS.AsSpan(0, _slots);
        adjS.Clear();
        for (var k = 0; k < _basic; k++) adjS[_basicSlot[k]] += adj[k];
        DerivedSlots(adjS, ws.NuAdj, ws.Dx, ws.Dy, ws.Dz);
    }

    // For slot weights a_t: ν_t a_t, and the weights of ∂/∂û_β moved onto the monomial one lower in β.
    private void DerivedSlots(ReadOnlySpan<double> a, double[] nu, double[] dx, double[] dy, double[] dz)
    {
        Array.Clear(dx, 0, _slots); Array.Clear(dy, 0, _slots); Array.Clear(dz, 0, _slots);
        for (var mu = 0; mu < _nmu; mu++)
        {
            var start = _slotStart[mu];
            for (var t = 0; t < _slotCount[mu]; t++)
            {
                var v = a[start + t];
                nu[start + t] = _deg[t] * v;
                if (_downX[t] >= 0) dx[start + _downX[t]] += _pa[t] * v;
                if (_downY[t] >= 0) dy[start + _downY[t]] += _pb[t] * v;
                if (_downZ[t] >= 0) dz[start + _downZ[t]] += _pc[t] * v;
            }
        }
    }

    /// <summary>
    /// E_i (eV) of an atom of species <paramref name="centre"/> and ∂E_i/∂d_j (eV/Å) into <paramref name="gradient"/>.
    /// All neighbours must be within the cutoff or beyond it (those beyond contribute nothing).
    /// </summary>
    public double Energy(Workspace ws, int centre, ReadOnlySpan<Vec3> d, ReadOnlySpan<int> types, Span<Vec3> gradient)
    {
        var n = d.Length;
        ws.Ensure(this, n);
        Radial(ws, centre, d, types);
        Moments(ws, n);
        var energy = Model.SpeciesCoefficients[centre];
        for (var a = 0; a < _scalars.Length; a++) energy += _w[a] * ws.M[_scalars[a]];
        if (gradient.IsEmpty) return energy + CoreOnly(centre, d, types, gradient);
        Adjoint(ws);
        // ∇_d [f_μ(r) P_t(û)] = (f'_μ − ν_t f_μ / r) P_t û + (f_μ / r) Σ_β ∂P_t/∂û_β e_β.
        for (var j = 0; j < n; j++)
        {
            var mono = ws.Mono.AsSpan(j * _monoCount, _monoCount);
            double radialPart = 0, bx = 0, by = 0, bz = 0;
            var invR = 1.0 / ws.R[j];
            for (var mu = 0; mu < _nmu; mu++)
            {
                var count = _slotCount[mu];
                if (count == 0) continue;
                var start = _slotStart[mu];
                var f = ws.F[j * _nmu + mu];
                var df = ws.DF[j * _nmu + mu];
                var (q, nu, x, y, z) = Dot5(ws.AdjS.AsSpan(start, count), ws.NuAdj.AsSpan(start, count), ws.Dx.AsSpan(start, count),
                    ws.Dy.AsSpan(start, count), ws.Dz.AsSpan(start, count), mono[..count]);
                var fr = f * invR;
                radialPart += df * q - fr * nu;
                bx += fr * x;
                by += fr * y;
                bz += fr * z;
            }
            gradient[j] = radialPart * ws.U[j] + new Vec3(bx, by, bz);
        }
        return energy + CoreOnly(centre, d, types, gradient);
    }

    /// <summary>
    /// The core's share of E_i alone (half of each pair's (1 − S) φ_ZBL; the other half is the mirror entry's) and its
    /// ∂/∂d_j added to <paramref name="gradient"/> unless that is empty; 0 without a core. Parameter-free: <see cref="Energy"/>
    /// adds it, and the trainer takes it off the targets.
    /// </summary>
    public double CoreOnly(int centre, ReadOnlySpan<Vec3> d, ReadOnlySpan<int> types, Span<Vec3> gradient)
    {
        if (_core is not { } core) return 0;
        var energy = 0.0;
        for (var j = 0; j < d.Length; j++)
        {
            var pair = centre * _ns + types[j];
            var r = d[j].Length;
            if (r >= core.Inner[pair]) continue;
            energy += 0.5 * core.PairEnergy(pair, r, out var slope);
            if (!gradient.IsEmpty) gradient[j] += (0.5 * slope / r) * d[j];
        }
        return energy;
    }

    // Five dot products with one vector in one pass (the short slot vectors make five separate calls cost more in
    // overhead than in arithmetic).
    private static (double, double, double, double, double) Dot5(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c,
        ReadOnlySpan<double> d, ReadOnlySpan<double> e, ReadOnlySpan<double> p)
    {
        var n = p.Length;
        var t = 0;
        double sa = 0, sb = 0, sc = 0, sd = 0, se = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated && n >= System.Numerics.Vector<double>.Count)
        {
            var w = System.Numerics.Vector<double>.Count;
            System.Numerics.Vector<double> va = default, vb = default, vc = default, vd = default, ve = default;
            for (; t <= n - w; t += w)
            {
                var vp = new System.Numerics.Vector<double>(p[t..]);
                va += new System.Numerics.Vector<double>(a[t..]) * vp;
                vb += new System.Numerics.Vector<double>(b[t..]) * vp;
                vc += new System.Numerics.Vector<double>(c[t..]) * vp;
                vd += new System.Numerics.Vector<double>(d[t..]) * vp;
                ve += new System.Numerics.Vector<double>(e[t..]) * vp;
            }
            sa = System.Numerics.Vector.Sum(va); sb = System.Numerics.Vector.Sum(vb); sc = System.Numerics.Vector.Sum(vc);
            sd = System.Numerics.Vector.Sum(vd); se = System.Numerics.Vector.Sum(ve);
        }
        for (; t < n; t++)
        {
            var x = p[t];
            sa += a[t] * x; sb += b[t] * x; sc += c[t] * x; sd += d[t] * x; se += e[t] * x;
        }
        return (sa, sb, sc, sd, se);
    }

    /// <summary>The basis functions B_α of an atom into <paramref name="values"/> (length = scalar count): an atom's row of the linear design.</summary>
    public void Basis(Workspace ws, int centre, ReadOnlySpan<Vec3> d, ReadOnlySpan<int> types, Span<double> values)
    {
        ws.Ensure(this, d.Length);
        Radial(ws, centre, d, types);
        Moments(ws, d.Length);
        for (var a = 0; a < _scalars.Length; a++) values[a] = ws.M[_scalars[a]];
    }

    /// <summary>
    /// The basis functions B_α of an atom into <paramref name="values"/> (length = scalar count) and their derivatives
    /// ∂B_α/∂d_j into <paramref name="derivatives"/> at [α · 3n + 3j + β]. Forward mode: one pass gives all α.
    /// </summary>
    public void BasisWithDerivatives(Workspace ws, int centre, ReadOnlySpan<Vec3> d, ReadOnlySpan<int> types, Span<double> values, Span<double> derivatives)
    {
        var n = d.Length;
        ws.Ensure(this, n, forward: true);
        Radial(ws, centre, d, types);
        Moments(ws, n);
        var width = 3 * n;
        var fw = ws.Forward.AsSpan(0, _moments * width);
        fw.Clear();
        // Basic moments: only neighbour j's columns of ∂(slot)/∂d_j are non-zero.
        for (var k = 0; k < _basic; k++)
        {
            var slot = _basicSlot[k];
            var mu = 0;
            while (mu + 1 < _nmu && _slotStart[mu + 1] <= slot) mu++;
            var t = slot - _slotStart[mu];
            var row = fw.Slice(k * width, width);
            for (var j = 0; j < n; j++)
            {
                var mono = ws.Mono.AsSpan(j * _monoCount, _monoCount);
                var f = ws.F[j * _nmu + mu];
                var invR = 1.0 / ws.R[j];
                var radialPart = (ws.DF[j * _nmu + mu] - _deg[t] * f * invR) * mono[t];
                var u = ws.U[j];
                var fr = f * invR;
                row[3 * j] = radialPart * u.X + (_downX[t] >= 0 ? fr * _pa[t] * mono[_downX[t]] : 0);
                row[3 * j + 1] = radialPart * u.Y + (_downY[t] >= 0 ? fr * _pb[t] * mono[_downY[t]] : 0);
                row[3 * j + 2] = radialPart * u.Z + (_downZ[t] >= 0 ? fr * _pc[t] * mono[_downZ[t]] : 0);
            }
        }
        var m = ws.M;
        foreach (ref readonly var p in _products.AsSpan())
        {
            var o = fw.Slice(p.Out * width, width);
            TensorPrimitives.MultiplyAdd(fw.Slice(p.Left * width, width), p.Mult * m[p.Right], o, o);
            TensorPrimitives.MultiplyAdd(fw.Slice(p.Right * width, width), p.Mult * m[p.Left], o, o);
        }
        for (var a = 0; a < _scalars.Length; a++)
        {
            values[a] = m[_scalars[a]];
            fw.Slice(_scalars[a] * width, width).CopyTo(derivatives.Slice(a * width, width));
        }
    }

    /// <summary>
    /// Adds ∂G/∂θ to <paramref name="gradient"/> (length <see cref="MtpModel.ParameterCount"/>, order of
    /// <see cref="MtpModel.Parameters"/>) for G = a·E_i + Σ_j (∂E_i/∂d_j)·v_j: with a the weight of this atom's energy and
    /// v_j a direction per neighbour, this is one atom's share of the vector–Jacobian product of energies, forces and
    /// stresses. Forward mode along v through the moments, then reverse mode for both the moments and their tangents.
    /// </summary>
    public void ParameterGradient(Workspace ws, int centre, ReadOnlySpan<Vec3> d, ReadOnlySpan<int> types, double a, ReadOnlySpan<Vec3> v, Span<double> gradient)
    {
        var n = d.Length;
        ws.Ensure(this, n);
        Radial(ws, centre, d, types);
        Moments(ws, n);
        // Tangent of the slots along v: Ṡ_μt = Σ_j (f' − ν f / r) P_t (û·v_j) + (f / r) Σ_β ∂P_t/∂û_β v_jβ.
        var ts = ws.TangentS.AsSpan(0, _slots);
        ts.Clear();
        for (var j = 0; j < n; j++)
        {
            var mono = ws.Mono.AsSpan(j * _monoCount, _monoCount);
            var invR = 1.0 / ws.R[j];
            var uv = Vec3.Dot(ws.U[j], v[j]);
            var vj = v[j];
            for (var mu = 0; mu < _nmu; mu++)
            {
                var start = _slotStart[mu];
                var f = ws.F[j * _nmu + mu];
                var df = ws.DF[j * _nmu + mu];
                var fr = f * invR;
                for (var t = 0; t < _slotCount[mu]; t++)
                {
                    var value = (df - _deg[t] * fr) * mono[t] * uv;
                    if (_downX[t] >= 0) value += fr * _pa[t] * mono[_downX[t]] * vj.X;
                    if (_downY[t] >= 0) value += fr * _pb[t] * mono[_downY[t]] * vj.Y;
                    if (_downZ[t] >= 0) value += fr * _pc[t] * mono[_downZ[t]] * vj.Z;
                    ts[start + t] += value;
                }
            }
        }
        var m = ws.M;
        var tm = ws.Tangent;
        for (var k = 0; k < _basic; k++) tm[k] = ts[_basicSlot[k]];
        Array.Clear(tm, _basic, _moments - _basic);
        foreach (ref readonly var p in _products.AsSpan())
            tm[p.Out] += p.Mult * (tm[p.Left] * m[p.Right] + m[p.Left] * tm[p.Right]);

        // Linear parameters: ∂G/∂ξ_s = a [s = centre]; ∂G/∂w_α = a B_α + Ḃ_α.
        var radialCount = Model.RadialParameterCount;
        gradient[radialCount + centre] += a;
        var linear = radialCount + _ns;
        for (var alpha = 0; alpha < _scalars.Length; alpha++)
            gradient[linear + alpha] += a * m[_scalars[alpha]] + tm[_scalars[alpha]];

        // Reverse: adj = ∂G/∂ṁ (the ordinary energy adjoint), bar = ∂G/∂m, both with a folded in: G depends on m through
        // a·E and through the tangents of the products.
        var adj = ws.Adj.AsSpan(0, _moments);
        var bar = ws.BarM.AsSpan(0, _moments);
        adj.Clear(); bar.Clear();
        for (var alpha = 0; alpha < _scalars.Length; alpha++)
        {
            adj[_scalars[alpha]] += _w[alpha];
            bar[_scalars[alpha]] += a * _w[alpha];
        }
        for (var k = _products.Length - 1; k >= 0; k--)
        {
            var (l, r, o, mult) = _products[k];
            var ga = mult * adj[o];
            var gb = mult * bar[o];
            adj[l] += ga * m[r];
            adj[r] += ga * m[l];
            bar[l] += ga * tm[r] + gb * m[r];
            bar[r] += ga * tm[l] + gb * m[l];
        }
        var adjS = ws.AdjS.AsSpan(0, _slots);
        var barS = ws.BarS.AsSpan(0, _slots);
        adjS.Clear(); barS.Clear();
        for (var k = 0; k < _basic; k++)
        {
            adjS[_basicSlot[k]] += adj[k];
            barS[_basicSlot[k]] += bar[k];
        }
        DerivedSlots(adjS, ws.NuAdj, ws.Dx, ws.Dy, ws.Dz);
        // ∂G/∂c_{μβ}^{centre, t_j} = Σ_j Q_β (p_μ − (û·v)/r s_μ + e_μ / r) + Q'_β (û·v) q_μ, with
        // q = adjS·P, s = (ν adjS)·P, p = barS·P, e = Σ_β v_β (D_β·P).
        for (var j = 0; j < n; j++)
        {
            if (ws.R[j] >= _rcut) continue;
            var mono = ws.Mono.AsSpan(j * _monoCount, _monoCount);
            var invR = 1.0 / ws.R[j];
            var uv = Vec3.Dot(ws.U[j], v[j]);
            var vj = v[j];
            var q = ws.Q.AsSpan(j * _nb, _nb);
            var dq = ws.DQ.AsSpan(j * _nb, _nb);
            var cOffset = (centre * _ns + types[j]) * _nmu * _nb;
            for (var mu = 0; mu < _nmu; mu++)
            {
                var count = _slotCount[mu];
                if (count == 0) continue;
                var start = _slotStart[mu];
                var pm = mono[..count];
                var qMu = TensorPrimitives.Dot(adjS.Slice(start, count), pm);
                var sMu = TensorPrimitives.Dot(ws.NuAdj.AsSpan(start, count), pm);
                var pMu = TensorPrimitives.Dot(barS.Slice(start, count), pm);
                var eMu = vj.X * TensorPrimitives.Dot(ws.Dx.AsSpan(start, count), pm)
                        + vj.Y * TensorPrimitives.Dot(ws.Dy.AsSpan(start, count), pm)
                        + vj.Z * TensorPrimitives.Dot(ws.Dz.AsSpan(start, count), pm);
                var onQ = pMu - uv * invR * sMu + eMu * invR;
                var onDq = uv * qMu;
                var g = gradient.Slice(cOffset + mu * _nb, _nb);
                for (var b = 0; b < _nb; b++) g[b] += q[b] * onQ + dq[b] * onDq;
            }
        }
    }
}
